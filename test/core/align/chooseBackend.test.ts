import { describe, expect, it } from 'vitest'
import { chooseBackend, registerOnnxBackend } from '../../../src-main/core/align/chooseBackend'
import { createReferenceBackend } from '../../../src-main/core/align/referenceBackend'

describe('chooseBackend', () => {
  it('reference is the TypeScript float64 backend', async () => {
    expect((await chooseBackend('reference')).backend.ep).toBe('reference')
  })

  it('auto falls back to the reference with a note when the ONNX kernels fail to load; onnx then fails clearly', async () => {
    registerOnnxBackend(async () => {
      throw new Error('no runtime here')
    })
    try {
      const auto = await chooseBackend('auto')
      expect(auto.backend.ep).toBe('reference')
      expect(auto.note).toMatch(/no runtime here/)
      await expect(chooseBackend('onnx')).rejects.toMatchObject({ code: 'UNAVAILABLE', arg: 'backend', message: expect.stringMatching(/^backend onnx: .*no runtime here/) })
    } finally {
      registerOnnxBackend(null)
    }
  })

  it('auto uses a registered ONNX factory when it loads', async () => {
    registerOnnxBackend(async () => ({ ...createReferenceBackend(), ep: 'cpu' }))
    try {
      expect((await chooseBackend('auto')).backend.ep).toBe('cpu')
    } finally {
      registerOnnxBackend(null)
    }
  })

  it('rejects an unknown choice', async () => {
    await expect(chooseBackend('gpu' as never)).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })
})
