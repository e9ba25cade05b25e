import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Workspace } from '../../../src-main/core/store/workspace'
import { align, resolveOptions } from '../../../src-main/core/align/align'
import { alignmentCacheKey, findCachedAlignment, getAlignment, listAlignments, recordsOf, saveAlignment, type InputRef } from '../../../src-main/core/align/resultsStore'
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
