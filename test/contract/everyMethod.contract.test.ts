import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API, type MethodName } from '../../src-main/common/api'
import { failureOf, openHarness, type Case, type Harness } from './harness'
import { REGISTRY_CASES } from './cases/registry'
import { JOB_CASES } from './cases/jobs'
import { ALIGN_CASES } from './cases/align'
import { EVAL_CASES } from './cases/eval'
import { MIX_CASES } from './cases/mix'
import { VIEWS_CASES } from './cases/views'

/**
 * Every AppApi method, called with the same arguments through the in-process transport and the
 * loopback HTTP server over one demo workspace: both must give the same result, of the documented
 * shape, and every method family must refuse a bad argument with the same error over both. A method
 * added to the contract without a case here fails the first test (and the type of CASES).
 */
const CASES: Record<MethodName, Case> = {
  ...REGISTRY_CASES,
  ...JOB_CASES,
  ...ALIGN_CASES,
  ...EVAL_CASES,
  ...MIX_CASES,
  ...VIEWS_CASES,
}

const METHODS = Object.keys(API) as MethodName[]
const familyOf = (m: string): string => m.slice(0, m.indexOf('.'))

describe('every AppApi method over both transports', () => {
  let h: Harness
  beforeAll(async () => {
    h = await openHarness()
  })
  afterAll(async () => {
    await h?.close()
  })

  it('has a case for every method of the contract, and none for a method it lacks', () => {
    expect(METHODS.filter((m) => !(m in CASES))).toEqual([])
    expect(Object.keys(CASES).filter((m) => !(m in API))).toEqual([])
  })

  it('refuses a method outside the contract with the same error over both transports', async () => {
    const call = (c: Harness['http']) => failureOf(c.call('models.drop' as MethodName, {} as never))
    const a = await call(h.inProcess)
    expect(a).toEqual({ code: 'UNKNOWN_METHOD', message: 'unknown method "models.drop"' })
    expect(await call(h.http)).toEqual(a)
  })

  for (const [method, run] of Object.entries(CASES)) it(method, () => run(h))

  it('called every method through both transports and refused a bad argument in every family', () => {
    expect(METHODS.filter((m) => !h.called.has(m))).toEqual([])
    const families = [...new Set(METHODS.map(familyOf))]
    const refusedFamilies = new Set([...h.refused].map(familyOf))
    expect(families.filter((f) => !refusedFamilies.has(f))).toEqual([])
  })
})
