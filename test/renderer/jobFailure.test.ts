import { describe, expect, it } from 'vitest'
import type { JobDto } from '../../src-main/common/contract/jobs'
import { isAppError } from '../../src-main/common/errors'
import { jobFailure } from '../../src-renderer/src/composables/jobFailure'
import { errorText } from '../../src-renderer/src/composables/useAction'

const base = { id: 'j_1', kind: 'sweep', title: 'sweep', fraction: 0.1, message: 'failed', etaSeconds: null, result: null, createdAt: '2026-01-01T00:00:00Z', startedAt: null, finishedAt: null } as const

describe("runJob's rejection", () => {
  it('keeps the parameter a failed job failed over, with the message the form shows', () => {
    const e = jobFailure({ ...base, state: 'failed', error: 'modelIds: choose at least two models to align', errorArg: 'modelIds' } as JobDto)
    expect(isAppError(e)).toBe(true)
    expect(e).toMatchObject({ code: 'BAD_INPUT', arg: 'modelIds' })
    expect(errorText(e)).toBe('modelIds: choose at least two models to align')
  })

  it('carries no parameter for a failure about none, and tells a cancel and a missing result apart', () => {
    const failed = jobFailure({ ...base, state: 'failed', error: 'the job host exited with code 1' } as JobDto)
    expect(isAppError(failed)).toBe(false)
    expect(failed.message).toBe('the job host exited with code 1')
    expect(jobFailure({ ...base, state: 'failed', error: null } as JobDto).message).toBe('job failed')
    expect(jobFailure({ ...base, state: 'cancelled', error: null } as JobDto).message).toBe('cancelled')
    expect(jobFailure({ ...base, state: 'done', error: null } as JobDto).message).toBe('the sweep job finished without a result')
  })
})
