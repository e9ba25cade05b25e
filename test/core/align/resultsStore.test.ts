import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Workspace } from '../../../src-main/core/store/workspace'
import { align, resolveOptions } from '../../../src-main/core/align/align'
import { adjustCalibratedP, alignmentCacheKey, findCachedAlignment, getAlignment, listAlignments, matrixCellLookup, recordsOf, saveAlignment, type InputRef } from '../../../src-main/core/align/resultsStore'
import { gaussian } from './helpers'

describe('alignment results store', () => {
  it('saves every parameter, lists, gets and finds by cache key', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'align-store-'))
    const ws = Workspace.open(dir)
    try {
      const a: InputRef = { name: 'a.npy', kind: 'file', sha256: 'a'.repeat(64) }
      const b: InputRef = { name: 'b.npy', kind: 'file', sha256: 'b'.repeat(64) }
      const opts = { metrics: ['mutual_knn', 'cka'], k: 4, permutations: 5, seed: 9 }
      const T = { data: gaussian(20, 2 * 3, 1).data, n: 20, layers: 2, dim: 3 }
      const res = await align(T, gaussian(20, 5, 2), opts)
      const resolved = resolveOptions(opts)
      const recs = recordsOf(res, a, b, resolved)
      saveAlignment(ws, recs)
      const all = listAlignments(ws)
      expect(all).toHaveLength(2)
      const got = getAlignment(ws, recs[0]!.id)!
      expect(got.result).toEqual(res.metrics.mutual_knn)
      expect(got).toMatchObject({ metric: 'mutual_knn', k: 4, prep: 'clamp-exact', q: 0.95, layersMode: 'max', n: 20, seed: 9, permutations: 5, bootstrap: 0, ep: 'reference', inputA: a, inputB: b })
      expect(listAlignments(ws, { metric: 'cka' })).toHaveLength(1)
      expect(listAlignments(ws, { input: b.sha256 })).toHaveLength(2)
      expect(findCachedAlignment(ws, alignmentCacheKey(a, b, 'cka', resolved))!.result).toEqual(res.metrics.cka)
      // k does not affect CKA, but does affect mutual_knn
      const k5 = resolveOptions({ ...opts, k: 5 })
      expect(findCachedAlignment(ws, alignmentCacheKey(a, b, 'cka', k5))).toBeDefined()
      expect(findCachedAlignment(ws, alignmentCacheKey(a, b, 'mutual_knn', k5))).toBeUndefined()
      expect(findCachedAlignment(ws, alignmentCacheKey(b, a, 'cka', resolved))).toBeUndefined()
    } finally {
      ws.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('calibrated results and Benjamini–Hochberg across a sweep', () => {
  it('stores calibration (with its null values), keys it by K, alpha and seed, and adjusts p across the pairs per metric', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'align-store-cal-'))
    const ws = Workspace.open(dir)
    try {
      const refs: InputRef[] = [0, 1, 2].map((t) => ({ name: `m${t}`, kind: 'feature_set', sha256: String(t).repeat(64) }))
      const X = [gaussian(24, 6, 11), gaussian(24, 6, 12), gaussian(24, 6, 13)]
      // model 2 is a noisy copy of model 0, so that pair has a small p
      X[2] = { ...X[0]!, data: X[0]!.data.map((v, t) => v + 0.3 * X[2]!.data[t]!) }
      const opts = { metrics: ['cka', 'rsa'], calibrate: 99, seed: 4 }
      const resolved = resolveOptions(opts)
      const pairs = [[0, 1], [0, 2], [1, 2]] as const
      for (const [i, j] of pairs) saveAlignment(ws, recordsOf(await align(X[i]!, X[j]!, opts), refs[i]!, refs[j]!, resolved))
      const stored = findCachedAlignment(ws, alignmentCacheKey(refs[0]!, refs[2]!, 'cka', resolved))!
      expect(stored.calibrate).toBe(99)
      expect(stored.alpha).toBe(0.05)
      expect(stored.result.calibration!.null_values).toHaveLength(99)
      expect(stored.result.calibration!.p_value).toBeCloseTo(1 / 100, 12)
      expect(stored.pAdjusted).toBeNull()
      // the cache key changes with K, alpha, seed, and stays as before without calibration
      for (const other of [{ calibrate: 98 }, { alpha: 0.1 }, { seed: 5 }]) expect(findCachedAlignment(ws, alignmentCacheKey(refs[0]!, refs[2]!, 'cka', resolveOptions({ ...opts, ...other })))).toBeUndefined()
      expect(alignmentCacheKey(refs[0]!, refs[2]!, 'cka', resolveOptions({ metrics: ['cka'] }))).toBe(alignmentCacheKey(refs[0]!, refs[2]!, 'cka', resolveOptions({ metrics: ['cka'], seed: 4 })))

      const summary = adjustCalibratedP(ws, ['cka', 'rsa'], pairs.map(([i, j]) => [refs[i]!, refs[j]!] as const), resolved)
      for (const m of ['cka', 'rsa'] as const) {
        const recs = pairs.map(([i, j]) => findCachedAlignment(ws, alignmentCacheKey(refs[i]!, refs[j]!, m, resolved))!)
        const p = recs.map((r) => r.result.calibration!.p_value)
        // BH by hand for m = 3: sort, m·p/rank, running minimum from the largest
        const order = [0, 1, 2].sort((x, y) => p[x]! - p[y]!)
        const want = [0, 0, 0]
        let run = 1
        for (let r = 2; r >= 0; r--) {
          run = Math.min(run, (3 * p[order[r]!]!) / (r + 1))
          want[order[r]!] = run
        }
        recs.forEach((r, t) => expect(r.pAdjusted, `${m} pair ${t}`).toBeCloseTo(want[t]!, 12))
        expect(summary[m]!.pairs).toBe(3)
        expect(summary[m]!.significant).toBe(want.filter((x) => x <= 0.05).length)
      }
      expect(summary.cka!.significant).toBeGreaterThanOrEqual(1)
    } finally {
      ws.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the alignment matrix lookup', () => {
  it('ignores k for kernel metrics and q for unclamped preparations, prefers a calibrated row, and keeps the stored orientation', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'align-store-matrix-'))
    const ws = Workspace.open(dir)
    try {
      const a: InputRef = { name: 'fs-a', kind: 'feature_set', sha256: 'a'.repeat(64) }
      const b: InputRef = { name: 'fs-b', kind: 'feature_set', sha256: 'b'.repeat(64) }
      const A = { data: gaussian(16, 2 * 3, 21).data, n: 16, layers: 2, dim: 3 }
      const B = { data: gaussian(16, 2 * 4, 22).data, n: 16, layers: 2, dim: 4 }
      const calibrated = { metrics: ['cka', 'mutual_knn'], k: 4, calibrate: 19, seed: 1 }
      const plain = { metrics: ['cka', 'mutual_knn'], k: 4 }
      const cal = recordsOf(await align(A, B, calibrated), a, b, resolveOptions(calibrated))
      saveAlignment(ws, cal)
      // A newer uncalibrated row of the same pair: the calibrated one still wins.
      saveAlignment(ws, recordsOf(await align(A, B, plain), a, b, resolveOptions(plain)).map((r) => ({ ...r, createdAt: '2999-01-01T00:00:00.000Z' })))
      const at = (o: { metric: string; k?: number; q?: number; prep?: string }) => matrixCellLookup(ws, { prep: 'clamp-exact', layersMode: 'max', k: 4, q: 0.95, ...o })
      const ckaRec = cal.find((r) => r.metric === 'cka')!
      const cell = at({ metric: 'cka', k: 7 })(a.sha256, b.sha256)!
      expect(cell).toEqual({
        recordId: ckaRec.id,
        score: ckaRec.result.score,
        layers: ckaRec.result.layers,
        ci95: null,
        chance: ckaRec.chance,
        n: 16,
        k: 4,
        undefined_reason: null,
        permutation: null,
        calibration: (({ null_values: _drop, ...rest }) => rest)(ckaRec.result.calibration!),
        pAdjusted: null,
      })
      expect(at({ metric: 'mutual_knn', k: 4 })(a.sha256, b.sha256)!.recordId).toBe(cal.find((r) => r.metric === 'mutual_knn')!.id)
      expect(at({ metric: 'mutual_knn', k: 7 })(a.sha256, b.sha256)).toBeUndefined()
      expect(at({ metric: 'cka', q: 0.9 })(a.sha256, b.sha256)).toBeUndefined()
      const l2 = { metrics: ['cka'], prep: 'l2' as const }
      const l2Rec = recordsOf(await align(A, B, l2), a, b, resolveOptions(l2))
      saveAlignment(ws, l2Rec)
      expect(at({ metric: 'cka', prep: 'l2', q: 0.5 })(a.sha256, b.sha256)!.recordId).toBe(l2Rec[0]!.id)
      expect(at({ metric: 'cka' })(b.sha256, a.sha256)).toBeUndefined()
    } finally {
      ws.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
