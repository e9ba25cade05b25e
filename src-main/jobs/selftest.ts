import { badInput } from '../common/errors'
import type { JobFn } from './context'
import { throwIfCancelled } from './context'

/**
 * A diagnostics job: waits `seconds` in small steps with progress, optionally failing or crashing at
 * a fraction. Used by the GPU/diagnostics panel to check that jobs run, and by tests of the job host's
 * cancel and crash handling (a real process, really killed).
 */
export const selftest: JobFn = async ({ params, progress, signal }) => {
  const p = (params ?? {}) as { seconds?: unknown; failAt?: unknown; crashAt?: unknown }
  const seconds = p.seconds === undefined ? 1 : Number(p.seconds)
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) throw badInput('seconds', 'must be between 0 and 3600')
  const steps = 20
  for (let i = 1; i <= steps; i++) {
    await new Promise((r) => setTimeout(r, (seconds * 1000) / steps))
    throwIfCancelled(signal)
    const f = i / steps
    if (typeof p.failAt === 'number' && f >= p.failAt) throw badInput('selftest', `failed on purpose at ${Math.round(f * 100)}%`)
    if (typeof p.crashAt === 'number' && f >= p.crashAt) process.kill(process.pid, 'SIGKILL')
    progress(f, `step ${i} of ${steps}`)
  }
  return { steps, seconds }
}
