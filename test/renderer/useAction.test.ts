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

  it('turns anything thrown into text', () => {
    expect(errorText(new TypeError('bad'))).toBe('bad')
    expect(errorText('plain')).toBe('plain')
    expect(errorText(42)).toBe('42')
  })
})
