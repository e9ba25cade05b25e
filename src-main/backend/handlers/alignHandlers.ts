import fs from 'node:fs'
import path from 'node:path'
import type { AppApi } from '../../common/api'
import type { AlignmentMatrix, AlignmentRecord, CalibrationStats, CalibrationSummary, MatrixCell } from '../../common/contract/align'
import type { FeatureSet, FeatureSetDto } from '../../common/contract/features'
import { AppError } from '../../common/errors'
import { modelRefLabel, modelTowers, type TowerRef } from '../../common/modelRef'
import type { Workspace } from '../../core/store/workspace'
import { deleteFeatureSet, getFeatureSet, listFeatureSets } from '../../core/features/store'
import { exportBundle, importBundle } from '../../core/features/bundle'
import { inspectModel, modelWarnings } from '../../core/onnx/modelInfo'
import { getAlignment } from '../../core/align/resultsStore'
import { getModel, listModels } from '../../core/registry/models'
import { resolveModelRef } from '../../core/registry/resolveModelRef'
import { getDataset, listDatasets } from '../../core/registry/datasets'
import { featureSetFor } from '../../core/registry/featureSetFor'

type AlignApi = Pick<AppApi, 'models.layers' | 'features.list' | 'features.delete' | 'features.export' | 'features.import' | 'align.matrix' | 'align.record'>

function featureDto(ws: Workspace, f: FeatureSet): FeatureSetDto {
  const model = listModels(ws).find((m) => m.sha256 === f.modelSha256)
  const dataset = listDatasets(ws).find((d) => d.sha256 === f.datasetSha256)
  const bytes = (ws.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM feature_batches WHERE feature_set_id = ?').get(f.id) as { b: number }).b
  // A dual encoder's feature sets are named by tower (their modality), "clip-tiny · text".
  const modelName = model ? modelRefLabel(model.name, modelTowers(model).includes(f.modality as TowerRef) ? (f.modality as TowerRef) : null) : null
  return { ...f, modelName, datasetName: dataset?.name ?? null, bytes }
}

interface AlignmentRow {
  id: string
  score: number
  layer_a: number | null
  layer_b: number | null
  ci_low: number | null
  ci_high: number | null
  chance: number
  n: number
  k: number
  undefined_reason: string | null
  null_stats: string | null
  calibration: string | null
  p_adjusted: number | null
}

/** A matrix cell carries the calibration summary; the null values themselves come with `align.record`. */
function withoutNullValues(c: CalibrationStats): CalibrationSummary {
  const { null_values: _drop, ...rest } = c
  return rest
}

/** Feature sets and stored alignment results: quick reads for the Alignment view (no computation). */
export function alignHandlers(ws: Workspace, changed: (area: 'features' | 'alignments') => void): AlignApi {
  return {
    'models.layers': async ({ id }) => {
      const m = inspectModel(getModel(ws, id).path)
      const all = m.whole ?? m
      const towers = m.towers.map((t) => ({ name: t.name, inputs: t.inputs.map((i) => i.name), outputs: t.outputs.map((o) => o.name), hiddenStates: t.hiddenStates, residualStream: t.residualStream }))
      return { modality: m.modality, inputs: all.inputs, outputs: all.outputs, hiddenStates: m.hiddenStates, residualStream: m.residualStream, tappable: all.tappable, ...(towers.length ? { towers } : {}), hiddenSize: m.hiddenSize, warnings: modelWarnings(m) }
    },
    'features.list': async () => listFeatureSets(ws).map((f) => featureDto(ws, f)),
    'features.delete': async ({ id }) => {
      getFeatureSet(ws, id)
      deleteFeatureSet(ws, id)
      changed('features')
      return { removed: true }
    },
    'features.export': async ({ id, dir, overwrite }) => {
      exportBundle(ws, id, dir, {}, { overwrite, forceHint: 'pass overwrite: true to replace it' })
      return { dir: path.resolve(dir), files: fs.readdirSync(dir).sort() }
    },
    'features.import': async ({ dir }) => {
      const f = importBundle(ws, dir)
      changed('features')
      return featureDto(ws, f)
    },
    'align.matrix': async ({ modelIds, datasetId, metric, k, prep, q, layersMode }) => {
      const dataset = getDataset(ws, datasetId)
      // Rows are models or towers of dual encoders (`id:vision`); a tower's row is named "name · tower".
      const models = modelIds.map((ref) => {
        const r = resolveModelRef(ws, ref, dataset)
        const fs_ = featureSetFor(ws, r.model.sha256, dataset.sha256, r.tower)
        return { id: ref, modelId: r.model.id, tower: r.tower, name: r.label, modality: r.tower ?? r.model.modality, featureSet: fs_?.id ?? null, layers: fs_?.layers ?? [], dim: fs_?.dim ?? null }
      })
      const stmt = ws.db.prepare(
        `SELECT id, score, layer_a, layer_b, ci_low, ci_high, chance, n, k, undefined_reason, null_stats, calibration, p_adjusted FROM alignments
         WHERE input_a_sha256 = ? AND input_b_sha256 = ? AND metric = ? AND prep = ? AND layers_mode = ?
           AND (k = ? OR metric IN ('cka', 'cka_rbf', 'unbiased_cka', 'svcca', 'rsa', 'procrustes')) AND (q = ? OR prep IN ('none', 'l2'))
         ORDER BY calibration IS NOT NULL DESC, created_at DESC LIMIT 1`,
      )
      let n: number | null = null
      const cells: (MatrixCell | null)[][] = models.map((a) =>
        models.map((b) => {
          if (!a.featureSet || !b.featureSet) return null
          const forward = stmt.get(a.featureSet, b.featureSet, metric, prep, layersMode, k, q) as AlignmentRow | undefined
          // Symmetric metrics are stored once per pair: a row found in the other orientation swaps its best layer pair.
          const row = forward ?? (stmt.get(b.featureSet, a.featureSet, metric, prep, layersMode, k, q) as AlignmentRow | undefined)
          if (!row) return null
          const swapped = !forward
          n = row.n
          return {
            recordId: row.id,
            score: row.score,
            layers: row.layer_a === null || row.layer_b === null ? null : swapped ? [row.layer_b, row.layer_a] : [row.layer_a, row.layer_b],
            ci95: row.ci_low === null || row.ci_high === null ? null : [row.ci_low, row.ci_high],
            chance: row.chance,
            n: row.n,
            k: row.k,
            undefined_reason: row.undefined_reason,
            permutation: row.null_stats ? (JSON.parse(row.null_stats) as MatrixCell['permutation']) : null,
            calibration: row.calibration ? withoutNullValues(JSON.parse(row.calibration) as CalibrationStats) : null,
            pAdjusted: row.p_adjusted,
          }
        }),
      )
      const out: AlignmentMatrix = { models, cells, metric, k, prep, q, layersMode, n }
      return out
    },
    'align.record': async ({ id }) => {
      const rec: AlignmentRecord | undefined = getAlignment(ws, id)
      if (!rec) throw new AppError('NOT_FOUND', `no alignment result ${id}`)
      const layersOf = (ref: AlignmentRecord['inputA']): string[] => {
        if (ref.kind !== 'feature_set') return []
        try {
          return getFeatureSet(ws, ref.sha256).layers
        } catch {
          return []
        }
      }
      return { ...rec, layersA: layersOf(rec.inputA), layersB: layersOf(rec.inputB) }
    },
  }
}
