import { expect } from 'vitest'

/** Asserts that `fn` (sync or async) fails with a BAD_INPUT error whose message matches `message`. */
export async function expectBadInput(fn: () => unknown, message: RegExp): Promise<void> {
  let err: unknown
  try {
    await fn()
  } catch (e) {
    err = e
  }
  expect(err, 'expected a BAD_INPUT error').toMatchObject({ code: 'BAD_INPUT' })
  expect((err as Error).message).toMatch(message)
}
