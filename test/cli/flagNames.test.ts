import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliErrorMessage, flagOf } from '../../src-main/cli/flagNames'
import { AppError, badArg, badInput } from '../../src-main/common/errors'
import { FIXTURES, REPO_ROOT } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

const BIN = path.join(REPO_ROOT, 'bin', 'platonic-lab.mjs')
const A10 = path.join(FIXTURES, 'bad', 'npy', 'a10.npy')

function cli(args: string[]): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 })
  return { code: r.status ?? -1, stderr: r.stderr }
}

describe('core arguments as command-line flags', () => {
  it('names the flag of each argument: kebab case, or the flag the command line spells differently', () => {
    expect(flagOf('k')).toBe('--k')
    expect(flagOf('rbfSigma')).toBe('--rbf-sigma')
    expect(flagOf('maxNewTokens')).toBe('--max-new-tokens')
    expect(flagOf('directions')).toBe('--direction')
    expect(flagOf('permutationSet')).toBe('--permutation-file')
    expect(flagOf('constructor')).toBe('--constructor')
  })

  it('rewrites only the leading argument name of an error that carries one', () => {
    expect(cliErrorMessage(badArg('rbfSigma', 'must be a positive number, got 0'))).toBe('--rbf-sigma: must be a positive number, got 0')
    expect(cliErrorMessage(new AppError('UNAVAILABLE', 'backend onnx: the kernels could not be loaded', 'backend'))).toBe('--backend onnx: the kernels could not be loaded')
    expect(cliErrorMessage(badInput('k.npy', 'not a .npy file'))).toBe('k.npy: not a .npy file')
    expect(cliErrorMessage(new AppError('BAD_INPUT', 'kind: unknown', 'k'))).toBe('kind: unknown')
    expect(cliErrorMessage(new AppError('BAD_INPUT', 'a.npy: use k smaller', 'k'))).toBe('a.npy: use k smaller')
  })

  it('prints a bad core argument as its flag, with exit code 2 and one error line', () => {
    const t = tmpDir()
    try {
      const k = cli(['align', A10, A10, '--k', '0', '--data', t.dir])
      expect(k.code).toBe(2)
      expect(k.stderr.trim().split('\n')).toEqual(['error: --k: must be a whole number >= 1, got 0'])
      const sections = cli(['report', '--out', path.join(t.dir, 'r.pdf'), '--sections', 'summary,plots', '--data', t.dir])
      expect(sections.code).toBe(2)
      expect(sections.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: --sections: unknown section "plots" \(expected some of summary, /)])
    } finally {
      t.cleanup()
    }
  })
})
