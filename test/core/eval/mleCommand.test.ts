import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { command } from '../../../src-main/cli/commands/mle'
import { cliContext } from '../../helpers/cliContext'
import { FIXTURES } from '../../helpers/fixtures'

const F = path.join(FIXTURES, 'eval', 'formats')

const ctx = (positional: string[], flags: Record<string, string | true> = {}) => cliContext(positional, flags)

describe('mle command', () => {
  it('produces the CLI.md JSON from mixed formats without a workspace', async () => {
    const res = await command.run(ctx([path.join(F, 'lmms_nested', 'm1_samples_mle_bench.jsonl'), path.join(F, 'vlmevalkit', 'm2_MLE.tsv'), path.join(F, 'lmms_results', 'full_results.json')], { model: 'a,b' }))
    const j = res.json as { models: Record<string, unknown>[]; paired: Record<string, unknown>[]; warnings: string[]; sources: { model: string; harness: string }[] }
    expect(j.models.map((m) => m.name)).toEqual(['a', 'b', 'full'])
    expect(Object.keys(j.models[0]!)).toEqual(['name', 'n', 'bins', 'overall_weighted', 'overall_unweighted', 'unparsed'])
    expect(Object.keys((j.models[0]!.bins as Record<string, object>)['0-30']!)).toEqual(['n', 'correct', 'acc', 'ci95'])
    expect(j.paired.map((p) => `${p.a}/${p.b}/${p.bin}`)).toEqual(['a/b/0-30', 'a/b/30-60', 'a/b/60-100', 'a/b/overall'])
    expect(Object.keys(j.paired[0]!)).toEqual(['a', 'b', 'bin', 'n', 'delta', 'p_value'])
    expect(j.sources.map((s) => s.harness)).toEqual(['lmms-eval', 'vlmevalkit', 'lmms-eval'])
    expect(j.warnings.join('\n')).toMatch(/published bin sizes/)
    expect(res.text).toMatch(/sample-weighted \(paper\)/)
  })
  it('rejects bad flags and clashing names', async () => {
    const f = path.join(F, 'plain', 'm1.jsonl')
    await expect(command.run(ctx([]))).rejects.toThrow(/at least one evaluation file/)
    await expect(command.run(ctx([f], { format: 'xml' }))).rejects.toThrow(/--format: expected one of auto, lmms-eval/)
    await expect(command.run(ctx([f], { model: 'a,b' }))).rejects.toThrow(/2 names for 1 file/)
    await expect(command.run(ctx([f, f]))).rejects.toThrow(/already used/)
  })
})
