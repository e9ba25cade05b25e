import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../src-main/common/errors'
import { findCachedAlignment, getAlignment, listAlignments } from '../../src-main/core/align/resultsStore'
import { extractFeatures, type ExtractRequest } from '../../src-main/core/features/extract'
import { getFeatureSet, loadFeatures } from '../../src-main/core/features/store'
import { ArrayStore } from '../../src-main/core/store/arrays'
import { verifyWorkspace } from '../../src-main/core/store/verify'
import { Workspace } from '../../src-main/core/store/workspace'
import { FIXTURES, MODELS, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'
import { runCliJson } from './cli'

// A cached array or result whose bytes changed on disk (bit rot, a torn copy) is detected when read,
// never served: damaged feature batches are recomputed, damaged alignment results recomputed.

const t = tmpDir('pl-integrity-')
afterAll(() => t.cleanup())

/** Flips one bit of a file in place. */
function flipBit(file: string, byte: number, bit = 0): void {
  const b = fs.readFileSync(file)
  b[byte] = b[byte]! ^ (1 << bit)
  fs.writeFileSync(file, b)
}

function batchFile(ws: Workspace, setId: string, batch: number): string {
  const r = ws.db.prepare('SELECT array_sha256 AS h FROM feature_batches WHERE feature_set_id = ? AND batch_index = ?').get(setId, batch) as { h: string }
  return ws.arrays.pathOf(r.h)
}

describe('ArrayStore reads verify the content', () => {
  it('a flipped bit or a truncated file is reported, never returned', () => {
    const store = new ArrayStore(path.join(t.dir, 'arrays'))
    const { sha256 } = store.put(new Uint8Array(256).map((_, i) => i))
    expect(store.read(sha256, 256).ok).toBe(true)
    flipBit(store.pathOf(sha256), 100, 3)
    expect(store.read(sha256, 256)).toEqual({ ok: false, problem: 'hash mismatch' })
    expect(() => store.get(sha256)).toThrow(/cached array is damaged \(hash mismatch\)/)
    fs.truncateSync(store.pathOf(sha256), 10)
    expect(store.read(sha256, 256)).toEqual({ ok: false, problem: 'size 10 != 256' })
    store.remove(sha256)
    expect(store.read(sha256)).toEqual({ ok: false, problem: 'missing' })
  })
})

describe('feature cache', () => {
  const req: ExtractRequest = { modelPath: path.join(MODELS, 'gpt-tiny'), datasetPath: path.join(SHAPES, 'captions.jsonl'), limit: 32, batch: 8 }

  it('a repeated extract recomputes exactly the damaged batch and reports it; the features equal the original ones', async () => {
    const ws = Workspace.open(path.join(t.dir, 'ws-extract'))
    try {
      const first = await extractFeatures(ws, req)
      const original = loadFeatures(ws, first.feature_set).data.slice()
      flipBit(batchFile(ws, first.feature_set, 2), 7, 5)
      const again = await extractFeatures(ws, req)
      expect(again.cached).toBe(false)
      expect(again.batches).toEqual({ total: 4, resumed: 3, computed: 1, damaged: 1 })
      expect(loadFeatures(ws, again.feature_set).data).toEqual(original)
      // Intact now: the next request is a cache hit with nothing damaged.
      const third = await extractFeatures(ws, req)
      expect(third.cached).toBe(true)
      expect(third.batches.damaged).toBe(0)
    } finally {
      ws.close()
    }
  }, 240_000)

  it('reading a damaged set names it and the batch, drops the batch (set partial), and cache verify agrees', async () => {
    const ws = Workspace.open(path.join(t.dir, 'ws-load'))
    try {
      const r = await extractFeatures(ws, req)
      const file = batchFile(ws, r.feature_set, 1)
      flipBit(file, 0)
      expect(verifyWorkspace(ws).problems).toEqual([`feature set ${r.feature_set}: batch 1 hash mismatch`])
      let err: unknown
      try {
        loadFeatures(ws, r.feature_set)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(AppError)
      expect((err as AppError).message).toBe(`${r.feature_set}: 1 cached batch(es) failed verification (batch 1: hash mismatch) and were dropped; run the extraction again to recompute them`)
      expect(getFeatureSet(ws, r.feature_set).state).toBe('partial')
      expect(fs.existsSync(file)).toBe(false)
      const v = verifyWorkspace(ws)
      expect(v.ok).toBe(true)
      const healed = await extractFeatures(ws, req)
      expect(healed.batches).toEqual({ total: 4, resumed: 3, computed: 1, damaged: 0 })
    } finally {
      ws.close()
    }
  }, 240_000)
})

describe('alignment results cache', () => {
  it('a stored score changed on disk is not served: align recomputes it and says so; cache verify reports and repairs', async () => {
    const data = path.join(t.dir, 'ws-align')
    const a = path.join(FIXTURES, 'align', 'pair2d_a.npy')
    const b = path.join(FIXTURES, 'align', 'pair2d_b.npy')
    const args = ['align', a, b, '--metrics', 'cka,mutual_knn', '--data', data]
    const first = await runCliJson<{ cached: boolean; metrics: Record<string, { score: number }> }>(args)
    expect(first.run.code, first.run.stderr).toBe(0)
    const hit = await runCliJson<{ cached: boolean }>(args)
    expect(hit.json.cached).toBe(true)

    // One bit of the stored double changes (the lowest mantissa bit), as bit rot would.
    const ws = Workspace.open(data)
    try {
      const row = ws.db.prepare("SELECT id, score FROM alignments WHERE metric = 'cka'").get() as { id: string; score: number }
      const bytes = Buffer.alloc(8)
      bytes.writeDoubleLE(row.score)
      bytes[0] = bytes[0]! ^ 1
      ws.db.prepare('UPDATE alignments SET score = ? WHERE id = ?').run(bytes.readDoubleLE(), row.id)
      expect(verifyWorkspace(ws).problems).toEqual([expect.stringMatching(new RegExp(`^alignment ${row.id} \\(cka, .*pair2d_a\\.npy x .*pair2d_b\\.npy\\): checksum mismatch$`))])
      // Lists and reports never show it; the intact mutual_knn result stays listed.
      expect(listAlignments(ws, { metric: 'cka' })).toEqual([])
      expect(getAlignment(ws, row.id)).toBeUndefined()
      expect(listAlignments(ws, { metric: 'mutual_knn' })).toHaveLength(1)
    } finally {
      ws.close()
    }

    const again = await runCliJson<{ cached: boolean; metrics: Record<string, { score: number }> }>(args)
    expect(again.run.code, again.run.stderr).toBe(0)
    expect(again.json.cached).toBe(false)
    expect(again.run.stderr).toMatch(/stored cka result for .*pair2d_a\.npy x .*pair2d_b\.npy failed verification \(checksum\); recomputing it/)
    expect(again.json.metrics['cka']!.score).toBe(first.json.metrics['cka']!.score)
    expect(again.json.metrics['mutual_knn']!.score).toBe(first.json.metrics['mutual_knn']!.score)

    const ws2 = Workspace.open(data)
    try {
      expect(verifyWorkspace(ws2).ok).toBe(true)
      // Damage a row, then repair drops it, and the lookup no longer finds a result to serve.
      const row = ws2.db.prepare("SELECT id, cache_key FROM alignments WHERE metric = 'mutual_knn' ORDER BY created_at DESC LIMIT 1").get() as { id: string; cache_key: string }
      ws2.db.prepare('UPDATE alignments SET undefined_reason = ? WHERE id = ?').run('tampered', row.id)
      const repaired = verifyWorkspace(ws2, { repair: true })
      expect(repaired.repaired).toContain('removed 1 damaged alignment result(s); they are recomputed when asked for again')
      expect(repaired.ok).toBe(true)
      expect(findCachedAlignment(ws2, row.cache_key)).toBeUndefined()
    } finally {
      ws2.close()
    }
  }, 240_000)
})
