import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Mat, Tensor3 } from '../../../src-main/common/matrix'
import { align, type AlignOptions } from '../../../src-main/core/align/align'
import { calibrationStats } from '../../../src-main/core/align/calibration'
import { FullLayer, ResampledLayer } from '../../../src-main/core/align/layerView'
import { scorePair } from '../../../src-main/core/align/metrics'
import { createReferenceBackend } from '../../../src-main/core/align/referenceBackend'
import { drawPermutations, readPermutationFile } from '../../../src-main/core/align/permutations'
import { readFeatures } from '../../../src-main/core/data/npy'
import { command } from '../../../src-main/cli/commands/align'
import { main } from '../../../src-main/cli/main'
import { Workspace } from '../../../src-main/core/store/workspace'
import { cliContext } from '../../helpers/cliContext'
import { FIXTURES } from '../../helpers/fixtures'
import { gaussian, l2rows, matmul, randomRotation } from './helpers'

const DIR = path.join(FIXTURES, 'calibration')
const REF = JSON.parse(fs.readFileSync(path.join(DIR, 'reference.json'), 'utf8')).calibration as {
  a: string
  b: string
  perms: string
  k: number
  q: number
  alpha: number
  metrics: Record<string, { raw: number; threshold: number; p_value: number; score: number; null_values: number[] }>
}

function layers(n: number, l: number, d: number, seed: number): Tensor3 {
  return { data: gaussian(n, l * d, seed).data, n, layers: l, dim: d }
}

/** A .npy file of integers, written here so malformed variants are easy to make. */
function intNpy(file: string, descr: string, shape: number[], values: number[]): void {
  const bytes = Number(descr.slice(2))
  const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`
  const pad = 64 - ((10 + header.length + 1) % 64)
  const head = Buffer.from(header + ' '.repeat(pad === 64 ? 0 : pad) + '\n', 'latin1')
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0])
  pre.writeUInt16LE(head.length, 8)
  const data = Buffer.alloc(values.length * bytes)
  values.forEach((v, i) => (bytes === 8 ? data.writeBigInt64LE(BigInt(v), i * 8) : bytes === 4 ? data.writeInt32LE(v, i * 4) : data.writeInt8(v, i)))
  fs.writeFileSync(file, Buffer.concat([pre, head, data]))
}

describe('calibration against the brute-force reference (make_calibration.py: rows of B permuted, everything recomputed)', () => {
  it('max+concat, clamp-exact, a permutation file: null values, tau, p and s_cal for mutual_knn, cka, rsa, procrustes', async () => {
    const A = readFeatures(path.join(DIR, REF.a))
    const B = readFeatures(path.join(DIR, REF.b))
    const perms = readPermutationFile(path.join(DIR, REF.perms), 24)
    const r = await align(A, B, { metrics: ['mutual_knn', 'cka', 'rsa', 'procrustes'], k: REF.k, prep: 'clamp-exact', q: REF.q, layers: 'max+concat', alpha: REF.alpha, permutationSet: perms })
    expect(r.calibrate).toBe(29)
    for (const [m, want] of Object.entries(REF.metrics)) {
      const got = r.metrics[m]!
      const c = got.calibration!
      expect(got.score, m).toBeCloseTo(want.raw, 9)
      expect(c.aggregate).toBe('max+concat')
      expect(c.permutations).toBe(29)
      c.null_values.forEach((v, t) => expect(v, `${m} null ${t}`).toBeCloseTo(want.null_values[t]!, 9))
      expect(c.threshold, m).toBeCloseTo(want.threshold, 9)
      expect(c.p_value, m).toBeCloseTo(want.p_value, 12)
      expect(c.score, m).toBeCloseTo(want.score, 8)
    }
  })
})

describe('align --calibrate / --permutation-file (command line)', () => {
  const withWorkspace = async (fn: (ws: Workspace, dir: string) => Promise<void>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'align-cal-'))
    const ws = Workspace.open(path.join(dir, 'ws'))
    try {
      await fn(ws, dir)
    } finally {
      ws.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  const args = [path.join(DIR, REF.a), path.join(DIR, REF.b)]
  const base = { metrics: 'cka,rsa', k: '4', prep: 'clamp-exact', layers: 'max+concat', backend: 'reference' }

  it('a permutation file reproduces the reference; the run is cached under K, alpha and the file hash', async () => {
    await withWorkspace(async (ws) => {
      const flags = { ...base, 'permutation-file': path.join(DIR, REF.perms), calibrate: '7', seed: '3' }
      const out = await command.run(cliContext(args, flags, () => ws))
      const json = out.json as { calibrate: number; alpha: number; cached: boolean; metrics: Record<string, { score: number; calibration: { permutations: number; alpha: number; aggregate: string; threshold: number; p_value: number; score: number; null_mean: number; null_sd: number } }> }
      expect(json.calibrate).toBe(29) // the file overrides --calibrate 7
      expect(json.alpha).toBe(0.05)
      for (const m of ['cka', 'rsa']) {
        const c = json.metrics[m]!.calibration
        expect(Object.keys(c)).toEqual(expect.arrayContaining(['permutations', 'alpha', 'aggregate', 'threshold', 'p_value', 'score', 'null_mean', 'null_sd']))
        expect(c.threshold).toBeCloseTo(REF.metrics[m]!.threshold, 9)
        expect(c.p_value).toBeCloseTo(REF.metrics[m]!.p_value, 12)
        expect(json.metrics[m]!.score).toBeCloseTo(REF.metrics[m]!.raw, 9)
      }
      expect(out.text).toMatch(/calibrated\s+threshold\s+p \(cal\)/)
      const again = await command.run(cliContext(args, flags, () => ws))
      expect((again.json as { cached: boolean }).cached).toBe(true)
      expect((again.json as { metrics: unknown }).metrics).toEqual(json.metrics)
      // another alpha, or seeded permutations instead of the file, is a different request
      const other = await command.run(cliContext(args, { ...flags, alpha: '0.1' }, () => ws))
      expect((other.json as { cached: boolean }).cached).toBe(false)
      const seeded = await command.run(cliContext(args, { ...base, calibrate: '29', seed: '3' }, () => ws))
      expect((seeded.json as { cached: boolean }).cached).toBe(false)
    })
  })

  it('too few permutations: the text says the calibrated 0 is by construction', async () => {
    await withWorkspace(async (ws) => {
      const out = await command.run(cliContext(args, { ...base, metrics: 'cka', calibrate: '5' }, () => ws))
      const c = (out.json as { metrics: { cka: { calibration: { score: number; note: string } } } }).metrics.cka.calibration
      expect(c.score).toBe(0)
      expect(c.note).toMatch(/K=5 permutations cannot reject at alpha=0.05/)
      expect(out.text).toMatch(/\* K=5 permutations cannot reject/)
    })
  })

  it('malformed permutation files and flags are bad input (exit 2 with one error line)', async () => {
    await withWorkspace(async (ws, dir) => {
      const f = (name: string) => path.join(dir, name)
      const id = Array.from({ length: 24 }, (_, i) => i)
      intNpy(f('short.npy'), '<i8', [1, 23], id.slice(0, 23))
      intNpy(f('repeat.npy'), '<i8', [2, 24], [...id, ...id.map((i) => (i === 5 ? 4 : i))])
      intNpy(f('range.npy'), '<i4', [1, 24], id.map((i) => (i === 0 ? 24 : i)))
      intNpy(f('flat.npy'), '<i8', [24], id)
      fs.copyFileSync(path.join(DIR, REF.a), f('float.npy'))
      const cases: [string, RegExp][] = [
        ['short.npy', /rows have 23 entries but the inputs have N=24 items/],
        ['repeat.npy', /row 1 is not a permutation of 0\.\.23 \(entry 5 is 4\)/],
        ['range.npy', /row 0 is not a permutation of 0\.\.23 \(entry 0 is 24\)/],
        ['flat.npy', /expected a 2-D \[K, N\] array of permutations, got shape \(24\)/],
        ['float.npy', /expected a little-endian integer array/],
        ['missing.npy', /file not found/],
      ]
      for (const [name, msg] of cases) {
        await expect(command.run(cliContext(args, { ...base, 'permutation-file': f(name) }, () => ws))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(msg) })
      }
      await expect(command.run(cliContext(args, { ...base, calibrate: '-1' }, () => ws))).rejects.toMatchObject({ code: 'BAD_INPUT', arg: 'calibrate', message: expect.stringMatching(/^calibrate: /) })
      await expect(command.run(cliContext(args, { ...base, calibrate: '9', alpha: '1.5' }, () => ws))).rejects.toMatchObject({ code: 'BAD_INPUT', arg: 'alpha', message: expect.stringMatching(/^alpha: must be in \(0, 1\)/) })
      const stderr: string[] = []
      const write = process.stderr.write.bind(process.stderr)
      process.stderr.write = ((s: string) => (stderr.push(String(s)), true)) as typeof process.stderr.write
      let code: number
      try {
        code = await main(['align', ...args, '--data', path.join(dir, 'ws2'), '--metrics', 'cka', '--permutation-file', f('repeat.npy')])
      } finally {
        process.stderr.write = write
      }
      expect(code).toBe(2)
      expect(stderr.join('')).toMatch(/^error: .*repeat\.npy: row 1 is not a permutation/m)
    })
  })
})

describe('statistical behaviour under the null and for a rotated copy', () => {
  it('independent Gaussians: mean raw linear CKA ≈ d/(n+d) and mutual_knn ≈ k/(n−1) over 6 trials', async () => {
    const n = 64
    const d = 96
    const k = 8
    let cka = 0
    let knn = 0
    const trials = 6
    for (let t = 0; t < trials; t++) {
      const r = await align(gaussian(n, d, 100 + 2 * t), gaussian(n, d, 101 + 2 * t), { metrics: ['cka', 'mutual_knn'], k, prep: 'none' })
      cka += r.metrics.cka!.score / trials
      knn += r.metrics.mutual_knn!.score / trials
    }
    expect(Math.abs(cka - d / (n + d))).toBeLessThan(0.01)
    // sd of one trial's mean overlap ≈ sqrt(k/(n−1)/(n·k)) ≈ 0.016; of the 6-trial mean ≈ 0.0065
    expect(Math.abs(knn - k / (n - 1))).toBeLessThan(0.02)
  })

  it('P(s_cal > 0) ≤ alpha under independence, up to binomial noise (layered, max aggregate)', async () => {
    const trials = 40
    let positive = 0
    for (let t = 0; t < trials; t++) {
      const r = await align(layers(20, 2, 6, 300 + 2 * t), layers(20, 2, 5, 301 + 2 * t), { metrics: ['cka'], prep: 'l2', calibrate: 39, alpha: 0.1, seed: t })
      if (r.metrics.cka!.calibration!.score > 0) positive++
    }
    // exactly P = (K+1 − ⌈0.9·40⌉)/(K+1) = 0.1; Binomial(40, 0.1) has mean 4, sd 1.9: 10 is > 3 sd above
    expect(positive).toBeLessThanOrEqual(10)
  })

  it('a rotated copy: p = 1/(K+1) for every metric and a calibrated score near 1 for rsa and procrustes', async () => {
    const A = l2rows(gaussian(40, 8, 5))
    const B = matmul(A, randomRotation(8, 6))
    const K = 24
    const r = await align(A, B, { metrics: ['mutual_knn', 'cka', 'rsa', 'procrustes', 'svcca'], k: 5, prep: 'l2', calibrate: K })
    for (const [m, v] of Object.entries(r.metrics)) {
      expect(v.calibration!.p_value, m).toBeCloseTo(1 / (K + 1), 15)
      expect(v.calibration!.aggregate).toBe('single')
      expect(v.calibration!.score, m).toBeGreaterThan(0.8)
    }
  })
})

describe('depth confound: L × L independent layers (n = 32, d = 256, linear CKA)', () => {
  it('the raw max rises with L, the aggregation-aware s_cal stays 0, the naive per-cell calibration rises', async () => {
    const K = 39
    const alpha = 0.05
    const trials = 6
    const summary: { L: number; raw: number; aware: number; naive: number; awareRejects: number; naiveRejects: number; naiveP: number }[] = []
    for (const L of [1, 4, 12]) {
      let raw = 0
      let aware = 0
      let naive = 0
      let awareRejects = 0
      let naiveRejects = 0
      let naiveP = 0
      for (let t = 0; t < trials; t++) {
        const opts: AlignOptions = { metrics: ['cka'], prep: 'l2', calibrate: K, alpha, seed: t }
        const A = layers(32, L, 256, 1000 + 10 * L + 2 * t)
        const B = layers(32, L, 256, 1001 + 10 * L + 2 * t)
        const r = await align(A, B, opts)
        const m = r.metrics.cka!
        raw += m.score / trials
        aware += m.calibration!.score / trials
        // naive: the null of the chosen cell only (what --permutations gives), judged with the same formulas
        const ctx = { k: 10, rbfSigma: 1, backend: createReferenceBackend() }
        const cell = (x: Tensor3, l: number): FullLayer => {
          const rows: Mat = { data: new Float64Array(32 * 256), rows: 32, cols: 256 }
          for (let i = 0; i < 32; i++) for (let c = 0; c < 256; c++) rows.data[i * 256 + c] = x.data[(i * L + l) * 256 + c]!
          return new FullLayer(l2rows(rows), 'cell', ctx.backend)
        }
        const [la, lb] = m.layers!
        const a = cell(A, la)
        const b = cell(B, lb)
        const nulls: number[] = []
        for (const perm of drawPermutations(K, 32, t)) nulls.push((await scorePair('cka', a, new ResampledLayer(b, perm, true), ctx)).score)
        const cal = calibrationStats(m.score, nulls, alpha, 'single')
        naive += cal.score / trials
        naiveP += cal.p_value / trials
        if (cal.score > 0) naiveRejects++
        if (m.calibration!.score > 0) awareRejects++
      }
      summary.push({ L, raw, aware, naive, awareRejects, naiveRejects, naiveP })
    }
    const [one, four, twelve] = summary as [(typeof summary)[0], (typeof summary)[0], (typeof summary)[0]]
    expect(one.raw).toBeGreaterThan(0.85) // ≈ d/(n+d) = 0.889
    expect(four.raw).toBeGreaterThan(one.raw)
    expect(twelve.raw).toBeGreaterThan(four.raw)
    for (const s of summary) {
      expect(s.aware, `L=${s.L}`).toBeLessThan(0.01)
      expect(s.awareRejects, `L=${s.L}`).toBeLessThanOrEqual(1) // Binomial(6, 0.05)
    }
    // counter-example: judging the max over L² cells against one cell's null rejects almost always at L = 12
    expect(one.naiveRejects).toBe(0)
    expect(twelve.naiveRejects).toBeGreaterThanOrEqual(4)
    expect(twelve.naive).toBeGreaterThan(one.naive)
    expect(twelve.naiveP).toBeLessThan(one.naiveP / 4)
  }, 120_000)
})
