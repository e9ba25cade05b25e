import { badInput } from '../../common/errors'
import { verifyWorkspace } from '../../core/store/verify'
import type { Command } from '../command'

export const command: Command = {
  name: 'cache',
  summary: 'verify (and repair) the workspace cache',
  usage: [
    'platonic-lab cache verify [--repair] [--data DIR]',
    '',
    'Checks the workspace: SQLite integrity_check, every cached feature batch present with the right',
    'size and SHA-256, every feature set marked complete really complete, no unreferenced array files.',
    'With --repair, damaged batches are removed (their feature sets drop back to partial and the next',
    'extraction recomputes just those batches) and unreferenced files are deleted. Exit code 1 when',
    'problems remain.',
  ].join('\n'),
  flags: [],
  booleanFlags: ['repair'],
  async run(ctx) {
    const sub = ctx.args.positional[0]
    if (sub !== 'verify') throw badInput(sub ? `cache ${sub}` : 'cache', 'expected the subcommand "verify" (platonic-lab cache verify [--repair])')
    const r = verifyWorkspace(ctx.workspace(), { repair: ctx.args.flags.repair === true })
    const lines = [
      `workspace ${r.dir}: ${r.ok ? 'OK' : `${r.problems.length} problem(s)`}`,
      `  sqlite integrity_check: ${r.integrity}`,
      `  feature sets: ${r.featureSets} (${r.batches} batches checked)`,
      ...r.problems.map((p) => `  problem: ${p}`),
      ...r.repaired.map((p) => `  repaired: ${p}`),
      ...r.notes.map((p) => `  note: ${p}`),
    ]
    return { json: r, text: lines.join('\n'), exitCode: r.ok ? 0 : 1 }
  },
}
