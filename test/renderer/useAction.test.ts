import { describe, expect, it } from 'vitest'
import { errorText, useAction } from '../../src-renderer/src/composables/useAction'

describe('useAction', () => {
  it('is busy while the action runs, keeps a failure’s message until the next run, and never throws', async () => {
    const a = useAction()
    let release: () => void = () => {}
    const running = a.run(() => new Promise<void>((r) => (release = r)))
    expect(a.busy.value).toBe(true)
    release()
    await running
    expect(a.busy.value).toBe(false)
    expect(a.error.value).toBeNull()
    await a.run(async () => {
      throw new Error('/no/such/model.onnx: not found')
    })
    expect(a.busy.value).toBe(false)
    expect(a.error.value).toBe('/no/such/model.onnx: not found')
    const next = a.run(async () => {})
    expect(a.error.value).toBeNull()
    await next
  })

  it('shows the sentence a run returns until the next run, and says whether the run succeeded', async () => {
    const a = useAction()
    expect(await a.run(async () => 'Imported 3 files.')).toBe(true)
    expect(a.message.value).toBe('Imported 3 files.')
    expect(a.error.value).toBeNull()
    expect(await a.run(async () => {
      throw new Error('features.npy: not a float32 array')
    })).toBe(false)
    expect(a.message.value).toBeNull()
    expect(a.error.value).toBe('features.npy: not a float32 array')
    expect(await a.run(async () => {})).toBe(true)
    expect(a.message.value).toBeNull()
    expect(a.error.value).toBeNull()
  })

  it('ignores a second run while one is going on, and names the running one by its label', async () => {
    const a = useAction()
    let release: () => void = () => {}
    let started = 0
    const first = a.run(() => new Promise<void>((r) => ((started++), (release = r))), 'model')
    expect(a.running.value).toBe('model')
    expect(await a.run(async () => void started++, 'dataset')).toBe(false)
    expect(started).toBe(1)
    expect(a.running.value).toBe('model')
    release()
    expect(await first).toBe(true)
    expect(a.running.value).toBeNull()
    expect(a.busy.value).toBe(false)
  })

  it('turns anything thrown into text', () => {
    expect(errorText(new TypeError('bad'))).toBe('bad')
    expect(errorText('plain')).toBe('plain')
    expect(errorText(42)).toBe('42')
  })
})
