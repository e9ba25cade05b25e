import crypto from 'node:crypto'
import type { ShardItem } from '../../common/contract/features'
import { badArg } from '../../common/errors'
import type { DatasetItem } from '../data/dataset'
import { fileSha256 } from '../store/fileHash'
import type { Workspace } from '../store/workspace'

/** Shard `index` of `count` (0-based), as given by `--shard I/N`. */
export interface ShardSpec {
  index: number
  count: number
}

/** The most shards a dataset may be split into; a job array larger than this is a typo. */
export const MAX_SHARDS = 100_000

/** Parses `I/N` (0 <= I < N). Slurm's `$SLURM_ARRAY_TASK_ID` and Kubernetes' `$JOB_COMPLETION_INDEX` are 0-based too. */
export function parseShard(spec: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec)
  if (!m) throw badArg('shard', `expected I/N (shard I of N, 0-based), got ${JSON.stringify(spec)}`)
  const index = Number(m[1])
  const count = Number(m[2])
  if (count < 1 || count > MAX_SHARDS) throw badArg('shard', `N must be between 1 and ${MAX_SHARDS}, got ${count}`)
  if (index >= count) throw badArg('shard', `I must be below N (shards are numbered 0..${count - 1}), got ${index}/${count}`)
  return { index, count }
}

/**
 * SHA-256 of what the model sees of an item: the image file's bytes and the caption's text. Two
 * machines holding the same dataset compute the same value wherever the folder lives.
 */
export function itemContentSha256(ws: Workspace | null, item: DatasetItem): string {
  const image = item.image ? fileSha256(ws, item.image).sha256 : null
  return crypto
    .createHash('sha256')
    .update(JSON.stringify({ image, caption: item.caption ?? null }))
    .digest('hex')
}

/**
 * Which positions of `hashes` belong to shard `index` of `count`: sort positions by (content hash,
 * position) and cut the sorted list into `count` contiguous runs of floor/ceil(n / count) items. The
 * split depends only on the items' contents (and on position to order exact duplicates), so every
 * process computes the same shards; the result is in dataset order.
 */
export function shardPositions(hashes: readonly string[], { index, count }: ShardSpec): number[] {
  const n = hashes.length
  const order = hashes.map((_, i) => i).sort((a, b) => (hashes[a]! < hashes[b]! ? -1 : hashes[a]! > hashes[b]! ? 1 : a - b))
  const from = Math.floor((index * n) / count)
  const to = Math.floor(((index + 1) * n) / count)
  return order.slice(from, to).sort((a, b) => a - b)
}

/** A shard of a dataset's (possibly --limit-ed) items, with what a bundle records of them. */
export interface ShardSelection {
  spec: ShardSpec
  /** Items of the whole request before sharding. */
  total: number
  items: DatasetItem[]
  members: ShardItem[]
  /** SHA-256 of the member list: part of the shard's feature-set key. */
  subsetSha256: string
}

export function selectShard(ws: Workspace | null, items: readonly DatasetItem[], spec: ShardSpec): ShardSelection {
  const hashes = items.map((it) => itemContentSha256(ws, it))
  const positions = shardPositions(hashes, spec)
  const members = positions.map((i) => ({ index: i, id: items[i]!.id, sha256: hashes[i]! }))
  return { spec, total: items.length, items: positions.map((i) => items[i]!), members, subsetSha256: subsetSha256(spec, items.length, members) }
}

/** SHA-256 identifying a shard's member list (positions and content hashes) within `total` items. */
export function subsetSha256(spec: ShardSpec, total: number, members: readonly ShardItem[]): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify({ shard: { index: spec.index, count: spec.count }, total, members: members.map((m) => [m.index, m.sha256]) }))
    .digest('hex')
}
