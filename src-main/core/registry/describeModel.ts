import path from 'node:path'
import type { Modality } from '../../common/dto'
import { inspectModel } from '../onnx/modelInfo'

export interface ModelDescription {
  format: 'onnx-folder' | 'onnx-file'
  modality: Modality
  /** Files whose bytes determine the model: the graph and its external-data files. */
  files: string[]
  defaultName: string
  info: Record<string, unknown>
}

/** What the registry stores about a checkpoint, from the ONNX inspector (which refuses non-ONNX files). */
export async function describeModel(abs: string): Promise<ModelDescription> {
  const m = inspectModel(abs)
  return {
    format: m.format,
    modality: m.modality,
    files: m.weightFiles,
    defaultName: m.format === 'onnx-folder' ? path.basename(abs) : path.basename(abs, '.onnx'),
    info: {
      graph: path.relative(m.format === 'onnx-folder' ? abs : path.dirname(abs), m.file),
      inputs: m.inputs,
      outputs: m.outputs.map((o) => o.name),
      hiddenStates: m.hiddenStates,
      residualStream: m.residualStream.length,
      modelType: (m.config?.model_type as string | undefined) ?? null,
    },
  }
}
