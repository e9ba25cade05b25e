import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../src-main/common/errors'
import { BUNDLE_FEATURES, BUNDLE_MANIFEST, importBundle, type BundleManifest } from '../../../src-main/core/features/bundle'
import { extractFeatures, type ExtractRequest } from '../../../src-main/core/features/extract'
import type { ExtractResult } from '../../../src-main/common/contract/features'
import { parseShard, selectShard, shardPositions } from '../../../src-main/core/features/shard'
import { mergeShardBundles, writeShardBundle } from '../../../src-main/core/features/shardBundle'
import { featureSetFor, listFeatureSets, loadFeatures } from '../../../src-main/core/features/store'
import { Workspace } from '../../../src-main/core/store/workspace'
import { FIXTURES, MODELS, SHAPES } from '../../helpers/fixtures'
import { tmpDir } from '../../helpers/tmp'

const sha = (s: string): string => crypto.createHash('sha256').update(s).digest('hex')

function badInputMessage(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    if (isAppError(e) && e.code === 'BAD_INPUT') return e.message
    throw e
  }
  throw new Error('expected a BAD_INPUT error')
}

describe('parseShard', () => {
  it('reads I/N, 0-based', () => {
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 })
    expect(parseShard(' 3 / 8 ')).toEqual({ index: 3, count: 8 })
  })
  it.each(['', '1', '8/8', '9/8', '-1/4', '1/0', 'a/b', '1.5/4', '0/100001'])('refuses %j naming the shard argument', (s) => {
    expect(badInputMessage(() => parseShard(s))).toMatch(/^shard: /)
  })
})

describe('shardPositions', () => {
  it('splits any list into disjoint shards that cover it, sizes within one of each other', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 12 }), (names, count) => {
        const hashes = names.map(sha)
        const all: number[] = []
        const sizes: number[] = []
        for (let i = 0; i < count; i++) {
          const p = shardPositions(hashes, { index: i, count })
          expect([...p].sort((a, b) => a - b)).toEqual(p)
          sizes.push(p.length)
          all.push(...p)
        }
        expect(all.sort((a, b) => a - b)).toEqual(hashes.map((_, i) => i))
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
      }),
    )
  })

  it('puts an item in the same shard wherever it sits in the list (the split follows content)', () => {
    const hashes = Array.from({ length: 50 }, (_, i) => sha(`item ${i}`))
    const reversed = [...hashes].reverse()
    for (let s = 0; s < 4; s++) {
      const a = shardPositions(hashes, { index: s, count: 4 }).map((i) => hashes[i])
      const b = shardPositions(reversed, { index: s, count: 4 }).map((i) => reversed[i])
      expect(new Set(b)).toEqual(new Set(a))
    }
  })

  it('orders exact duplicates by position, so each still lands in exactly one shard', () => {
    const hashes = [sha('x'), sha('x'), sha('x'), sha('y')]
    const got = [0, 1].map((index) => shardPositions(hashes, { index, count: 2 }))
    expect(got.flat().sort()).toEqual([0, 1, 2, 3])
  })
})

describe('sharded extraction, merge and import', () => {
  const t = tmpDir('pl-shard-')
  let ws: Workspace
  const base: ExtractRequest = { modelPath: path.join(MODELS, 'vit-tiny'), datasetPath: SHAPES, limit: 60, ep: 'cpu', layers: 'all', batch: 7 }
  const shardRuns: ExtractResult[] = []
  const dirs: string[] = []
  beforeAll(async () => {
    ws = Workspace.open(path.join(t.dir, 'ws'))
    for (let i = 0; i < 3; i++) {
      const r = await extractFeatures(ws, { ...base, shard: { index: i, count: 3 } })
      const dir = path.join(t.dir, `shard-${i}`)
      writeShardBundle(ws, r, dir)
      shardRuns.push(r)
      dirs.push(dir)
    }
  })
  afterAll(() => {
    ws.close()
    t.cleanup()
  })

  it('gives each shard its content-hash share of the items, and keeps shards out of the views', () => {
    expect(shardRuns.map((r) => r.n).reduce((a, b) => a + b)).toBe(60)
    const members = shardRuns.flatMap((r) => r.shard!.members.map((m) => m.index)).sort((a, b) => a - b)
    expect(members).toEqual(Array.from({ length: 60 }, (_, i) => i))
    expect(new Set(shardRuns.map((r) => r.shard!.full_key)).size).toBe(1)
    expect(new Set(shardRuns.map((r) => r.feature_set)).size).toBe(3)
    expect(listFeatureSets(ws).filter((f) => f.source === 'shard')).toHaveLength(3)
    expect(featureSetFor(ws, shardRuns[0]!.model_sha256, shardRuns[0]!.dataset_sha256)).toBeNull()
  })

  it('a shard is resumable and cached like any extraction', async () => {
    const again = await extractFeatures(ws, { ...base, shard: { index: 1, count: 3 } })
    expect(again.cached).toBe(true)
    expect(again.feature_set).toBe(shardRuns[1]!.feature_set)
  })

  it('merges into the unsharded feature set: same key, rows in dataset order, values within 1e-5', async () => {
    const out = path.join(t.dir, 'merged')
    const r = mergeShardBundles(out, [dirs[2]!, dirs[0]!, dirs[1]!])
    expect(r.manifest.n).toBe(60)
    expect(r.manifest.shards!.map((s) => s.index)).toEqual([0, 1, 2])
    expect(r.manifest.items!.map((it) => it.index)).toEqual(Array.from({ length: 60 }, (_, i) => i))

    const fresh = Workspace.open(path.join(t.dir, 'ws-import'))
    try {
      const imported = importBundle(fresh, out)
      const hit = await extractFeatures(fresh, base)
      expect(hit.cached).toBe(true)
      expect(hit.feature_set).toBe(imported.id)
      // The reference: the same request unsharded, in its own workspace.
      const whole = await extractFeatures(ws, base)
      expect(whole.cached).toBe(false)
      expect(whole.feature_set).toBe(imported.id)
      const a = loadFeatures(fresh, imported.id)
      const b = loadFeatures(ws, whole.feature_set)
      expect([a.n, a.layers, a.dim]).toEqual([b.n, b.layers, b.dim])
      let worst = 0
      for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!) / Math.max(1e-6, Math.abs(b.data[i]!)))
      expect(worst).toBeLessThanOrEqual(1e-5)
    } finally {
      fresh.close()
    }
  })

  const copyShards = (tag: string): string[] =>
    dirs.map((d, i) => {
      const c = path.join(t.dir, `${tag}-${i}`)
      fs.cpSync(d, c, { recursive: true })
      return c
    })
  const editManifest = (dir: string, f: (m: BundleManifest) => void): void => {
    const file = path.join(dir, BUNDLE_MANIFEST)
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as BundleManifest
    f(m)
    fs.writeFileSync(file, JSON.stringify(m))
  }
  const refuses = (out: string, ins: string[], pattern: RegExp): void => {
    expect(badInputMessage(() => mergeShardBundles(out, ins))).toMatch(pattern)
    expect(fs.existsSync(out)).toBe(false)
    expect(fs.readdirSync(path.dirname(out)).filter((f) => f.includes('.partial-'))).toEqual([])
  }

  it('refuses a missing shard, a shard given twice, and an existing output folder', () => {
    refuses(path.join(t.dir, 'm1'), [dirs[0]!, dirs[1]!], /missing shard 2 of 3/)
    const dup = copyShards('dup')
    refuses(path.join(t.dir, 'm2'), [dirs[0]!, dirs[1]!, dirs[2]!, dup[1]!], /duplicate shard 1\/3/)
    fs.mkdirSync(path.join(t.dir, 'taken'))
    expect(badInputMessage(() => mergeShardBundles(path.join(t.dir, 'taken'), dirs))).toMatch(/already exists/)
  })

  it('refuses corrupted features and edited manifests, naming the shard', () => {
    const flip = copyShards('flip')
    const npy = path.join(flip[1]!, BUNDLE_FEATURES)
    const buf = fs.readFileSync(npy)
    buf[buf.length - 3] = buf[buf.length - 3]! ^ 0x10
    fs.writeFileSync(npy, buf)
    refuses(path.join(t.dir, 'm3'), flip, new RegExp(`${flip[1]}.*does not match the manifest`))

    const moved = copyShards('moved')
    editManifest(moved[2]!, (m) => {
      m.items![0]!.index = m.items![0]!.index === 0 ? 1 : 0
    })
    refuses(path.join(t.dir, 'm4'), moved, /manifest was modified/)

    const other = copyShards('other')
    editManifest(other[0]!, (m) => {
      m.pool = 'mean'
    })
    refuses(path.join(t.dir, 'm5'), other, /key does not match/)
  })

  it('refuses shards of another extraction (other layers) naming what differs', async () => {
    const r = await extractFeatures(ws, { ...base, layers: 'hidden_states.1,hidden_states.2', shard: { index: 2, count: 3 } })
    const dir = path.join(t.dir, 'other-layers-2')
    writeShardBundle(ws, r, dir)
    refuses(path.join(t.dir, 'm6'), [dirs[0]!, dirs[1]!, dir], /does not belong with .*its layers differs/)
  })

  it('refuses shards of a different split of the items (another --limit)', async () => {
    const r = await extractFeatures(ws, { ...base, limit: 59, shard: { index: 2, count: 3 } })
    const dir = path.join(t.dir, 'limit59-2')
    writeShardBundle(ws, r, dir)
    refuses(path.join(t.dir, 'm7'), [dirs[0]!, dirs[1]!, dir], /does not belong with/)
  })

  it('does not import a lone shard, and refuses more shards than items', async () => {
    const fresh = Workspace.open(path.join(t.dir, 'ws-lone'))
    try {
      expect(badInputMessage(() => importBundle(fresh, dirs[0]!))).toMatch(/shard 0\/3 .* merge the shards first/)
      expect(listFeatureSets(fresh)).toEqual([])
    } finally {
      fresh.close()
    }
    await expect(extractFeatures(ws, { ...base, limit: 2, shard: { index: 0, count: 3 } })).rejects.toThrow(/fewer than 3 shards/)
  })

  it('selects text items by caption content too', () => {
    const items = ['a cat', 'a dog', 'a bird', 'a cat'].map((caption, i) => ({ id: String(i), caption }))
    const s0 = selectShard(null, items, { index: 0, count: 2 })
    const s1 = selectShard(null, items, { index: 1, count: 2 })
    expect([...s0.members, ...s1.members].map((m) => m.index).sort()).toEqual([0, 1, 2, 3])
    expect(s0.members.find((m) => m.index === 0)?.sha256 ?? s1.members.find((m) => m.index === 0)?.sha256).toBe(
      s0.members.find((m) => m.index === 3)?.sha256 ?? s1.members.find((m) => m.index === 3)?.sha256,
    )
  })
})

describe('bundles of layers of different widths (a CNN\'s stages)', () => {
  const t = tmpDir('pl-shard-cnn-')
  afterAll(() => t.cleanup())

  it('export, shard, merge and import keep the per-layer widths and values', async () => {
    const ws = Workspace.open(path.join(t.dir, 'ws'))
    const fresh = Workspace.open(path.join(t.dir, 'ws-import'))
    try {
      const req: ExtractRequest = { modelPath: path.join(FIXTURES, 'cnn', 'resnet-tiny'), datasetPath: path.join(FIXTURES, 'cnn', 'dataset'), layers: 'all', ep: 'cpu', batch: 2 }
      const whole = await extractFeatures(ws, req)
      const ref = loadFeatures(ws, whole.feature_set)
      expect(ref.dims && new Set(ref.dims).size).toBeGreaterThan(1)
      const dirs: string[] = []
      for (let i = 0; i < 2; i++) {
        const r = await extractFeatures(ws, { ...req, shard: { index: i, count: 2 } })
        dirs.push(path.join(t.dir, `s${i}`))
        const m = writeShardBundle(ws, r, dirs[i]!)
        expect(m.layer_dims).toEqual(ref.dims)
      }
      const merged = mergeShardBundles(path.join(t.dir, 'merged'), dirs)
      expect(merged.manifest.layer_dims).toEqual(ref.dims)
      const imported = importBundle(fresh, path.join(t.dir, 'merged'))
      expect(imported.id).toBe(whole.feature_set)
      const got = loadFeatures(fresh, imported.id)
      expect(got.dims).toEqual(ref.dims)
      let worst = 0
      for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i]! - ref.data[i]!) / Math.max(1e-6, Math.abs(ref.data[i]!)))
      expect(worst).toBeLessThanOrEqual(1e-5)
      expect((await extractFeatures(fresh, req)).cached).toBe(true)
    } finally {
      ws.close()
      fresh.close()
    }
  })
})
