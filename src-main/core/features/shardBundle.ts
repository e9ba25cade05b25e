import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { badInput } from '../../common/errors'
import { encodeNpy } from '../data/npy'
import { appVersion } from '../paths'
import type { Workspace } from '../store/workspace'
import { BUNDLE_FEATURES, BUNDLE_MANIFEST, bundleShape, exportBundle, readBundleFeatures, readManifest, type BundleManifest, type ShardRun } from './bundle'
import type { ExtractResult, ShardItem } from '../../common/contract/features'
import { canonicalJson, featureKey } from './featureKey'
import { getFeatureSet } from './store'
import { shardPositions, subsetSha256 } from './shard'

/**
 * Writes the bundle of a shard extraction: the shard's features and members, the whole request's key,
 * and where it ran (host, platform, provider, seconds, app version), which `bundle merge` keeps.
 */
export function writeShardBundle(ws: Workspace, r: ExtractResult, dir: string): BundleManifest {
  if (!r.shard) throw new Error('writeShardBundle: not a shard extraction')
  const { index, count, n_total, full_key, subset, members } = r.shard
  const set = getFeatureSet(ws, r.feature_set)
  const run: Omit<ShardRun, 'features_sha256'> = { index, n: r.n, host: os.hostname(), platform: `${process.platform}-${process.arch}`, ep: r.ep, seconds: set.seconds, app_version: appVersion(), created_at: new Date().toISOString() }
  const m = exportBundle(ws, r.feature_set, dir, { items: members, shard: { index, count, n_total, full_key, subset, run: { ...run, features_sha256: '' } } })
  // The run's hash is the features file's, known only once it is written.
  m.shard!.run.features_sha256 = m.features_sha256
  fs.writeFileSync(path.join(dir, BUNDLE_MANIFEST), JSON.stringify(m, null, 2) + '\n')
  return m
}

interface ShardInput {
  dir: string
  manifest: BundleManifest
  data: Float32Array
}

function fail(dir: string, problem: string): never {
  throw badInput(dir, problem)
}

/** Reads and checks one shard bundle on its own: manifest fields, its key, its members, its features' hash and shape. */
function readShard(dir: string): ShardInput {
  const abs = path.resolve(dir)
  let st: fs.Stats
  try {
    st = fs.statSync(abs)
  } catch {
    fail(abs, 'shard bundle not found')
  }
  if (!st.isDirectory()) fail(abs, 'expected a shard bundle folder (manifest.json + features.npy)')
  const manifest = readManifest(path.join(abs, BUNDLE_MANIFEST))
  const s = manifest.shard
  if (!s || typeof s !== 'object') fail(abs, 'not a shard bundle (its manifest has no "shard"); it was not written by extract --shard I/N --bundle')
  if (!Number.isInteger(s.index) || !Number.isInteger(s.count) || s.index < 0 || s.index >= s.count) fail(abs, `shard index/count ${s.index}/${s.count} is invalid`)
  if (!Number.isInteger(s.n_total) || typeof s.full_key !== 'string' || typeof s.subset !== 'string') fail(abs, 'shard n_total, full_key or subset is missing')
  const items = manifest.items
  if (!Array.isArray(items) || items.length !== manifest.n) fail(abs, `the manifest lists ${Array.isArray(items) ? items.length : 'no'} items for ${manifest.n} rows`)
  for (const it of items) {
    if (!it || !Number.isInteger(it.index) || it.index < 0 || it.index >= s.n_total || typeof it.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(it.sha256)) {
      fail(abs, `item ${JSON.stringify(it)} is not a valid {index, id, sha256} entry for ${s.n_total} items`)
    }
  }
  const parts = { modelSha256: manifest.model_sha256, datasetSha256: manifest.dataset_sha256, n: manifest.n, layers: manifest.layers, pool: manifest.pool, preprocessing: manifest.preprocessing, dtype: 'float32' as const, subset: s.subset }
  if (featureKey(parts) !== manifest.key) fail(abs, 'the key does not match the manifest fields; the manifest was modified')
  if (subsetSha256(s, s.n_total, items) !== s.subset) fail(abs, 'the item list does not match the shard\'s recorded member hash; the manifest was modified')
  const whole = featureKey({ ...parts, n: s.n_total, subset: undefined })
  if (whole !== s.full_key) fail(abs, 'full_key does not match the manifest fields; the manifest was modified')
  return { dir: abs, manifest, data: readBundleFeatures(abs, manifest) }
}

/** Settings every shard of one extraction shares; the first difference is named. */
const SHARED: [string, (m: BundleManifest) => unknown][] = [
  ['model (model_sha256)', (m) => m.model_sha256],
  ['dataset (dataset_sha256)', (m) => m.dataset_sha256],
  ['layers', (m) => m.layers],
  ['pooling', (m) => m.pool],
  ['preprocessing', (m) => m.preprocessing],
  ['dtype', (m) => m.dtype],
  ['feature width (dim)', (m) => m.dim],
  ['per-layer widths', (m) => m.layer_dims ?? null],
  ['shard count', (m) => m.shard!.count],
  ['item count of the whole extraction', (m) => m.shard!.n_total],
  ['whole-extraction key', (m) => m.shard!.full_key],
]

export interface MergeResult {
  out: string
  manifest: BundleManifest
  shards: number
}

/**
 * Merges the bundles of every shard of one extraction into one bundle of the whole, in dataset order,
 * whose key is the unsharded extraction's (so importing it makes that extraction a cache hit). Every
 * shard must be present once, agree on model, dataset and settings, hold exactly the items the split by
 * content hash gives it, and have intact features. Nothing is written unless all of that holds, and the
 * output folder appears whole (written beside it, then renamed) or not at all.
 */
export function mergeShardBundles(out: string, dirs: string[]): MergeResult {
  if (dirs.length === 0) throw badInput('bundle merge', 'expected the output folder and at least one shard bundle folder')
  const outAbs = path.resolve(out)
  if (fs.existsSync(outAbs)) throw badInput(outAbs, 'already exists; choose a new folder for the merged bundle')
  const seenDir = new Set<string>()
  const shards = dirs.map((d) => {
    const abs = path.resolve(d)
    if (seenDir.has(abs)) throw badInput(abs, 'given twice')
    seenDir.add(abs)
    return readShard(abs)
  })
  const first = shards[0]!
  for (const s of shards.slice(1)) {
    for (const [what, get] of SHARED) {
      if (canonicalJson(get(s.manifest)) !== canonicalJson(get(first.manifest))) {
        throw badInput(s.dir, `shard ${s.manifest.shard!.index}/${s.manifest.shard!.count} does not belong with ${first.dir}: its ${what} differs`)
      }
    }
  }
  const { count, n_total: n } = first.manifest.shard!
  const byIndex = new Map<number, ShardInput>()
  for (const s of shards) {
    const i = s.manifest.shard!.index
    const other = byIndex.get(i)
    if (other) throw badInput(s.dir, `duplicate shard ${i}/${count}: ${other.dir} is the same shard`)
    byIndex.set(i, s)
  }
  const missing: number[] = []
  for (let i = 0; i < count; i++) if (!byIndex.has(i)) missing.push(i)
  if (missing.length) throw badInput('bundle merge', `missing shard${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} of ${count}`)

  // Every item exactly once, and each shard holding the items that the split by content hash gives it.
  const owner = new Int32Array(n).fill(-1)
  const hashes: string[] = new Array<string>(n)
  for (const s of shards) {
    for (const it of s.manifest.items!) {
      if (owner[it.index] !== -1) throw badInput(s.dir, `item ${it.index} (${it.id}) is also in shard ${owner[it.index]}; duplicate item`)
      owner[it.index] = s.manifest.shard!.index
      hashes[it.index] = it.sha256
    }
  }
  const absent = [...owner.keys()].filter((i) => owner[i] === -1)
  if (absent.length) throw badInput('bundle merge', `${absent.length} item(s) of ${n} are in no shard (first: position ${absent[0]})`)
  for (const s of shards) {
    const expect = shardPositions(hashes, { index: s.manifest.shard!.index, count })
    const got = s.manifest.items!.map((it) => it.index)
    if (expect.length !== got.length || expect.some((v, i) => v !== got[i])) {
      throw badInput(s.dir, `shard ${s.manifest.shard!.index}/${count} does not hold the items its split by content hash gives it (another dataset version or --limit?)`)
    }
  }

  const L = first.manifest.layers.length
  const D = first.manifest.dim
  const widths = first.manifest.layer_dims
  const row = widths ? widths.reduce((a, d) => a + d, 0) : L * D
  const data = new Float32Array(n * row)
  const items: ShardItem[] = new Array<ShardItem>(n)
  for (const s of shards) {
    s.manifest.items!.forEach((it, r) => {
      data.set(s.data.subarray(r * row, (r + 1) * row), it.index * row)
      items[it.index] = it
    })
  }
  const npy = encodeNpy(data, bundleShape({ n, layers: first.manifest.layers, dim: D, layer_dims: widths }))
  const eps = [...new Set(shards.map((s) => s.manifest.ep))]
  const runs = [...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i)!.manifest.shard!.run)
  const m: BundleManifest = {
    format: 'platonic-lab-features',
    version: 1,
    key: first.manifest.shard!.full_key,
    model_sha256: first.manifest.model_sha256,
    dataset_sha256: first.manifest.dataset_sha256,
    model_path: first.manifest.model_path,
    dataset_path: first.manifest.dataset_path,
    modality: first.manifest.modality,
    layers: first.manifest.layers,
    pool: first.manifest.pool,
    preprocessing: first.manifest.preprocessing,
    dtype: 'float32',
    n,
    dim: D,
    ...(widths ? { layer_dims: widths } : {}),
    ep: eps.length === 1 ? (eps[0] ?? null) : null,
    skipped_eps: first.manifest.skipped_eps ?? [],
    features_sha256: crypto.createHash('sha256').update(npy).digest('hex'),
    created_at: new Date().toISOString(),
    app_version: appVersion(),
    shards: runs,
    items,
  }
  const parent = path.dirname(outAbs)
  fs.mkdirSync(parent, { recursive: true })
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(outAbs)}.partial-`))
  try {
    fs.writeFileSync(path.join(tmp, BUNDLE_FEATURES), npy)
    fs.writeFileSync(path.join(tmp, BUNDLE_MANIFEST), JSON.stringify(m, null, 2) + '\n')
    fs.renameSync(tmp, outAbs)
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw badInput(outAbs, `cannot write the merged bundle (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
  }
  return { out: outAbs, manifest: m, shards: shards.length }
}
