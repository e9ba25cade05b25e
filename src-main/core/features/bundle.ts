import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { badInput } from '../../common/errors'
import { encodeNpy, parseNpy, readNpyBytes } from '../data/npy'
import { checkWriteTarget, writeFileAtomically, type WriteTarget } from '../data/atomicWrite'
import { appVersion } from '../paths'
import type { ShardItem } from '../../common/contract/features'
import type { Workspace } from '../store/workspace'
import { featureKey } from './featureKey'
import { createFeatureSet, deleteFeatureSet, finishFeatureSet, getFeatureSet, loadFeatures, putBatch, setLayerDims, setRunInfo, type FeatureSet } from './store'
import { readUserText } from '../data/userFile'
import { checkJsonDepth } from '../data/userText'

export const BUNDLE_FEATURES = 'features.npy'
export const BUNDLE_MANIFEST = 'manifest.json'

/** manifest.json of a portable feature bundle. */
export interface BundleManifest {
  format: 'platonic-lab-features'
  version: 1
  key: string
  model_sha256: string
  dataset_sha256: string
  model_path: string
  dataset_path: string
  modality: string
  layers: string[]
  pool: string
  preprocessing: unknown
  dtype: 'float32'
  n: number
  dim: number
  ep: string | null
  skipped_eps: { ep: string; reason: string }[]
  features_sha256: string
  created_at: string
  /** Version of the app that wrote the bundle. */
  app_version?: string
  /** A shard's bundle (`extract --shard I/N --bundle DIR`): see `ShardManifest`. */
  shard?: ShardManifest
  /** A merged bundle (`bundle merge`): where and how each shard ran. */
  shards?: ShardRun[]
  /**
   * Per-layer widths when the layers differ in width (a CNN's stages); features.npy is then `[n, sum of
   * widths]`, each row the layers' values one after another, and `dim` is the largest width.
   */
  layer_dims?: number[]
  /** Items in row order (shard and merged bundles): dataset position, id and content SHA-256. */
  items?: ShardItem[]
}

/** What a shard's bundle says about its place in the whole extraction. */
export interface ShardManifest {
  index: number
  count: number
  /** Items of the whole (unsharded) request and its feature-set key, which the merged bundle takes. */
  n_total: number
  full_key: string
  /** SHA-256 of the member list (the `subset` part of the shard's own key). */
  subset: string
  run: ShardRun
}

/** Where and how one shard ran, kept in the merged bundle's manifest. */
export interface ShardRun {
  index: number
  n: number
  host: string
  platform: string
  ep: string | null
  seconds: number
  app_version: string
  created_at: string
  features_sha256: string
}

/**
 * Writes `dir/features.npy` ([N, L, D] float32) and `dir/manifest.json` with the hashes that identify it;
 * `extra` adds the optional manifest fields (a shard's place and members). Each file is written
 * atomically; existing files are replaced only with `options.overwrite` (checked for both before
 * either is written).
 */
export function exportBundle(ws: Workspace, featureSetId: string, dir: string, extra: Pick<BundleManifest, 'shard' | 'items'> = {}, options: WriteTarget = {}): BundleManifest {
  const s = getFeatureSet(ws, featureSetId)
  const target = { mkdir: true, ...options }
  const files = [path.join(dir, BUNDLE_FEATURES), path.join(dir, BUNDLE_MANIFEST)] as const
  for (const f of files) checkWriteTarget(f, target)
  const t = loadFeatures(ws, featureSetId)
  const npy = encodeNpy(t.data, t.dims ? [t.n, t.dims.reduce((a, d) => a + d, 0)] : [t.n, t.layers, t.dim])
  writeFileAtomically(files[0], npy, target)
  const manifest: BundleManifest = {
    format: 'platonic-lab-features',
    version: 1,
    key: s.key,
    model_sha256: s.modelSha256,
    dataset_sha256: s.datasetSha256,
    model_path: s.modelPath,
    dataset_path: s.datasetPath,
    modality: s.modality,
    layers: s.layers,
    pool: s.pool,
    preprocessing: s.preprocessing,
    dtype: 'float32',
    n: t.n,
    dim: t.dim,
    ...(t.dims ? { layer_dims: t.dims } : {}),
    ep: s.ep,
    skipped_eps: s.skippedEps,
    features_sha256: crypto.createHash('sha256').update(npy).digest('hex'),
    created_at: new Date().toISOString(),
    app_version: appVersion(),
    ...extra,
  }
  writeFileAtomically(files[1], JSON.stringify(manifest, null, 2) + '\n', target)
  return manifest
}

export function readManifest(file: string): BundleManifest {
  let m: BundleManifest
  const text = readUserText(file, { what: 'a bundle manifest' })
  checkJsonDepth(file, text)
  try {
    m = JSON.parse(text) as BundleManifest
  } catch (e) {
    throw badInput(file, `cannot read the bundle manifest (${e instanceof Error ? e.message : String(e)})`)
  }
  if (m?.format !== 'platonic-lab-features' || m.version !== 1) throw badInput(file, 'not a Platonic Lab feature bundle manifest (format/version)')
  for (const k of ['model_sha256', 'dataset_sha256', 'features_sha256', 'pool'] as const) if (typeof m[k] !== 'string') throw badInput(file, `${k} is missing`)
  if (!Array.isArray(m.layers) || !m.layers.every((l) => typeof l === 'string')) throw badInput(file, 'layers must be a list of names')
  if (!Number.isInteger(m.n) || !Number.isInteger(m.dim)) throw badInput(file, 'n and dim must be integers')
  if (m.layer_dims !== undefined) {
    const d = m.layer_dims
    if (!Array.isArray(d) || d.length !== m.layers.length || !d.every((x) => Number.isInteger(x) && x > 0) || Math.max(...d) !== m.dim) {
      throw badInput(file, 'layer_dims must give a positive width for every layer, the largest equal to dim')
    }
  }
  return m
}

/** The shape of a bundle's features.npy: `[n, L, D]`, or `[n, sum of widths]` for layers of different widths. */
export function bundleShape(m: Pick<BundleManifest, 'n' | 'layers' | 'dim' | 'layer_dims'>): number[] {
  return m.layer_dims ? [m.n, m.layer_dims.reduce((a, d) => a + d, 0)] : [m.n, m.layers.length, m.dim]
}

/** A bundle's `[n, L, D]` features, after checking the file's SHA-256 and shape against the manifest. */
export function readBundleFeatures(dir: string, m: BundleManifest): Float32Array {
  const npyFile = path.join(dir, BUNDLE_FEATURES)
  if (!fs.existsSync(npyFile)) throw badInput(npyFile, 'missing from the bundle')
  const buf = readNpyBytes(npyFile)
  const h = crypto.createHash('sha256').update(buf).digest('hex')
  if (h !== m.features_sha256) throw badInput(npyFile, `SHA-256 ${h} does not match the manifest (${m.features_sha256}); the bundle is corrupt or was modified`)
  const a = parseNpy(buf, npyFile)
  const want = bundleShape(m)
  if (a.shape.length !== want.length || a.shape.some((v, i) => v !== want[i])) {
    throw badInput(npyFile, `shape (${a.shape.join(', ')}) does not match the manifest (${want.join(', ')})`)
  }
  return a.data instanceof Float32Array ? a.data : Float32Array.from(a.data)
}

/**
 * Verifies a bundle (features.npy hash and shape against the manifest; the manifest's key against its
 * own fields) and registers it as a complete feature set. Importing the same bundle twice is a no-op.
 */
export function importBundle(ws: Workspace, dir: string): FeatureSet {
  const manifestFile = path.join(dir, BUNDLE_MANIFEST)
  const m = readManifest(manifestFile)
  if (m.shard) throw badInput(manifestFile, `this is shard ${m.shard.index}/${m.shard.count} of an extraction; merge the shards first (platonic-lab bundle merge OUT SHARD_DIRS...) and import the merged bundle`)
  const data = readBundleFeatures(dir, m)
  const parts = { modelSha256: m.model_sha256, datasetSha256: m.dataset_sha256, n: m.n, layers: m.layers, pool: m.pool, preprocessing: m.preprocessing, dtype: 'float32' as const }
  if (featureKey(parts) !== m.key) throw badInput(manifestFile, 'the key does not match the manifest fields; the manifest was modified')
  const fresh = () => createFeatureSet(ws, { ...parts, modelPath: m.model_path, datasetPath: m.dataset_path, modality: m.modality, batchSize: m.n, source: 'import' })
  let set = fresh()
  if (set.state === 'complete') return set
  // A partial extraction of the same features has other batch boundaries; the bundle replaces it whole.
  if (set.nBatches !== 1) {
    deleteFeatureSet(ws, set.id)
    set = fresh()
  }
  if (m.layer_dims) setLayerDims(ws, set.id, m.layer_dims)
  putBatch(ws, set.id, 0, 0, m.n, data, m.dim, 0)
  if (m.ep) setRunInfo(ws, set.id, m.ep, m.skipped_eps ?? [])
  finishFeatureSet(ws, set.id, m.ep, m.skipped_eps ?? [])
  return getFeatureSet(ws, set.id)
}
