import { badInput } from '../common/errors'
import { s, type Infer } from '../common/schema'
import type { JobFnOf } from './context'
import { throwIfCancelled } from './context'

export const SELFTEST_PARAMS = s.object({
  seconds: s.optional(s.number({ min: 0, max: 3600 })),
  /** Fail (an error) or crash (SIGKILL of the host) once this fraction of the steps is done. */
  failAt: s.optional(s.number({ min: 0, max: 1 })),
  crashAt: s.optional(s.number({ min: 0, max: 1 })),
})

/**
 * A job for tests of the job host's progress, cancel and crash handling (a real process, really
 * killed): waits `seconds` in small steps with progress, optionally failing or crashing at a fraction.
 * Internal (kinds.ts): started through `JobManager.startInternal`, never over the API.
 */
export const selftest: JobFnOf<Infer<typeof SELFTEST_PARAMS>, { steps: number; seconds: number }> = async ({ params: p, progress, signal }) => {
  const seconds = p.seconds ?? 1
  const steps = 20
  for (let i = 1; i <= steps; i++) {
    await new Promise((r) => setTimeout(r, (seconds * 1000) / steps))
    throwIfCancelled(signal)
    const f = i / steps
    if (p.failAt !== undefined && f >= p.failAt) throw badInput('selftest', `failed on purpose at ${Math.round(f * 100)}%`)
    if (p.crashAt !== undefined && f >= p.crashAt) process.kill(process.pid, 'SIGKILL')
    progress(f, `step ${i} of ${steps}`)
  }
  return { steps, seconds }
}
