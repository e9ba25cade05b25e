import type { JobDto } from '../../../src-main/common/contract/jobs'
import { AppError } from '../../../src-main/common/errors'

/**
 * The error `runJob` rejects with when a job ends without a result. A failure over one parameter is a
 * bad argument (badArg in the job), so it keeps that parameter (`arg`) for the form to point at.
 */
export function jobFailure(j: JobDto): Error {
  if (j.state === 'cancelled') return new Error('cancelled')
  if (j.state === 'done') return new Error(`the ${j.kind} job finished without a result`)
  const message = j.error ?? 'job failed'
  return j.errorArg !== undefined ? new AppError('BAD_INPUT', message, j.errorArg) : new Error(message)
}
