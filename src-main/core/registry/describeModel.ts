import path from 'node:path'
import type { Modality } from '../../common/contract/registry'
import fs from 'node:fs'
import type { Workspace } from '../store/workspace'
import { inspectModel } from '../onnx/modelInfo'
import { modelSha256 } from '../features/extract'

export interface ModelDescription {
  format: 'onnx-folder' | 'onnx-file'
  modality: Modality
  /** The same content hash the feature cache keys on (graph plus external-data files). */
  sha256: string
  bytes: number
  defaultName: string
  info: Record<string, unknown>
}

/** What the registry stores about a checkpoint, from the ONNX inspector (which refuses non-ONNX files). */
export async function describeModel(ws: Workspace, abs: string): Promise<ModelDescription> {
  const m = inspectModel(abs)
  return {
    format: m.format,
    modality: m.modality,
    sha256: modelSha256(ws, m),
    bytes: m.weightFiles.reduce((s, f) => s + fs.statSync(f).size, 0),
    defaultName: m.format === 'onnx-folder' ? path.basename(abs) : path.basename(abs, '.onnx'),
    info: {
      graph: path.relative(m.format === 'onnx-folder' ? abs : path.dirname(abs), m.file),
      inputs: m.inputs,
      outputs: m.outputs.map((o) => o.name),
      hiddenStates: m.hiddenStates,
      residualStream: m.residualStream.length,
      modelType: (m.config?.model_type as string | undefined) ?? null,
      ...(m.towers.length
        ? { towers: m.towers.map((t) => ({ name: t.name, inputs: t.inputs.map((i) => i.name), outputs: t.outputs.map((o) => o.name), hiddenStates: t.hiddenStates, residualStream: t.residualStream.length })) }
        : {}),
    },
  }
}
