import type { Workspace } from '../store/workspace'
import { getFeatureSet, type FeatureSet } from '../features/store'

/**
 * The newest complete feature set of a model on a dataset (by content hashes), or null. Views use it
 * to find stored alignments without recomputing anything. A shard (`extract --shard`) covers only part
 * of the items, so it never stands for the model on the dataset. `tower` picks one tower of a dual encoder.
 */
export function featureSetFor(ws: Workspace, modelSha256: string, datasetSha256: string, tower: string | null = null): FeatureSet | null {
  // A dual encoder's feature sets carry their tower's modality, which tells the two towers apart.
  const row = ws.db
    .prepare(`SELECT id FROM feature_sets WHERE model_sha256 = ? AND dataset_sha256 = ? AND state = 'complete' AND source != 'shard'${tower ? ' AND modality = ?' : ''} ORDER BY finished_at DESC LIMIT 1`)
    .get(modelSha256, datasetSha256, ...(tower ? [tower] : [])) as { id: string } | undefined
  return row ? getFeatureSet(ws, row.id) : null
}
