import fs from 'node:fs'
import path from 'node:path'
import type { AppApi } from '../../common/api'
import type { AlignmentMatrix, AlignmentRecord, MatrixCell } from '../../common/contract/align'
import type { FeatureSet, FeatureSetDto } from '../../common/contract/features'
import { AppError } from '../../common/errors'
import type { TowerName } from '../../common/contract/features'
import { modelRefLabel, modelTowers } from '../../common/modelRef'
import type { Workspace } from '../../core/store/workspace'
import { deleteFeatureSet, featureSetBytes, featureSetFor, getFeatureSet, listFeatureSets } from '../../core/features/store'
import { exportBundle, importBundle } from '../../core/features/bundle'
import { inspectModel, modelWarnings } from '../../core/onnx/modelInfo'
import { getAlignment, matrixCellLookup } from '../../core/align/resultsStore'
import { getModel, listModels } from '../../core/registry/models'
import { resolveModelRef } from '../../core/registry/resolveModelRef'
import { getDataset, listDatasets } from '../../core/registry/datasets'

type AlignApi = Pick<AppApi, 'models.layers' | 'features.list' | 'features.delete' | 'features.export' | 'features.import' | 'align.matrix' | 'align.record'>

function featureDto(ws: Workspace, f: FeatureSet): FeatureSetDto {
  const model = listModels(ws).find((m) => m.sha256 === f.modelSha256)
  const dataset = listDatasets(ws).find((d) => d.sha256 === f.datasetSha256)
  const bytes = featureSetBytes(ws, f.id)
  // A dual encoder's feature sets are named by tower (their modality), "clip-tiny · text".
  const modelName = model ? modelRefLabel(model.name, modelTowers(model).includes(f.modality as TowerName) ? (f.modality as TowerName) : null) : null
  return { ...f, modelName, datasetName: dataset?.name ?? null, bytes }
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
      const lookup = matrixCellLookup(ws, { metric, prep, layersMode, k, q })
      let n: number | null = null
      const cells: (MatrixCell | null)[][] = models.map((a) =>
        models.map((b) => {
          if (!a.featureSet || !b.featureSet) return null
          const forward = lookup(a.featureSet, b.featureSet)
          // Symmetric metrics are stored once per pair: a row found in the other orientation swaps its best layer pair.
          const back = forward ? undefined : lookup(b.featureSet, a.featureSet)
          const cell: MatrixCell | undefined = forward ?? (back && { ...back, layers: back.layers && [back.layers[1], back.layers[0]] })
          if (!cell) return null
          n = cell.n
          return cell
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
