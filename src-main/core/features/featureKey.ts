import crypto from 'node:crypto'

/** JSON with object keys sorted at every level, so equal content always hashes equal. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}

/** What determines a feature set's numbers; its canonical-JSON SHA-256 is the cache key. */
export interface FeatureKeyParts {
  modelSha256: string
  datasetSha256: string
  n: number
  layers: string[]
  pool: string
  preprocessing: unknown
  dtype: 'float32'
  /** For a shard of the items: the SHA-256 of its member list (absent for whole datasets, so their keys are unchanged). */
  subset?: string
}

export function featureKey(p: FeatureKeyParts): string {
  const { modelSha256, datasetSha256, n, layers, pool, preprocessing, dtype, subset } = p
  return crypto.createHash('sha256').update(canonicalJson({ v: 1, modelSha256, datasetSha256, n, layers, pool, preprocessing, dtype, subset })).digest('hex')
}
