import fs from 'node:fs'
import path from 'node:path'
import { badArg, badInput } from '../../common/errors'
import { parseImagePreprocessing, type ImagePreprocessing } from '../data/imageProcessor'
import { decoderInputPlan, plannedInputs, TOKEN_INPUTS, type DecoderInputPlan } from './decoderInputs'
import { checkExternalData, externalRefs } from './externalData'
import { checkImageFit, imageFitOf } from '../features/imageFit'
import { readModelProto, summarizeGraph, type GraphSummary, type TensorDecl } from './graph'
import { findTowers, type GraphTower } from './towers'
import type { TowerName } from '../../common/contract/features'
import type { Modality } from '../../common/contract/registry'
import { readUserJsonObject } from '../data/userText'

type Json = Record<string, unknown>

/** Everything the app knows about a checkpoint before running it. */
export interface ModelInfo extends GraphSummary {
  /** Absolute path the user gave (folder or .onnx file). */
  path: string
  /** Absolute path of the ONNX graph file that is run. */
  file: string
  /** Folder holding config.json / tokenizer.json / preprocessor_config.json, if any. */
  configDir: string
  format: 'onnx-folder' | 'onnx-file'
  modality: Modality
  config: Json | null
  /** Image preprocessing and where it came from; null when neither a preprocessor config nor a sidecar says. */
  image: ImagePreprocessing | null
  imageSource: string | null
  /** Name of the pixel input for vision models. */
  imageInput: string | null
  tokenizer: { json: string; config: string | null } | null
  /** Largest sequence length the position table allows (n_positions / max_position_embeddings). */
  positionLimit: number | null
  /** Sidecar JSON used (bare .onnx files), if any. */
  sidecar: string | null
  /** Files whose bytes determine the model's outputs: the graph and its external data, absolute. */
  weightFiles: string[]
  /** How to feed a decoder's key/value cache inputs (empty cache), or null when it has none or they cannot be fed (see `decoderProblems`). */
  decoder: DecoderInputPlan | null
  /** Why the cache inputs cannot be fed, if they cannot. */
  decoderProblems: string[]
  /**
   * Width every residual-stream tensor must have, and where it was read (`config.json hidden_size`,
   * `token embedding`); null where the stream's width is not one number (hierarchical vision models,
   * whose config gives per-stage widths) or cannot be known.
   */
  hiddenSize: number | null
  hiddenSizeSource: string | null
  /** The towers of a dual encoder (vision and text, in one graph or split in two files), or [] for a model with one. */
  towers: TowerInfo[]
  /** The tower the graph fields above describe and extraction runs (dual encoders only; see `selectTower`). */
  tower: TowerName | null
  /** `file` holds other towers too, so a session prunes its copy of the graph to the outputs it fetches. */
  pruneToTower: boolean
  /** The inputs, outputs and tappable tensors of all towers together (dual encoders only). */
  whole: Pick<GraphSummary, 'inputs' | 'outputs' | 'tappable'> | null
}

/** One tower of a dual encoder and the graph file that runs it. */
export interface TowerInfo extends GraphTower {
  file: string
  floatElemType: number
  externalDataFiles: string[]
  tokenEmbeddingWidth: number | null
}

function readJsonIf(file: string): Json | null {
  return fs.existsSync(file) ? readUserJsonObject(file) : null
}

/**
 * The graph file of a folder: onnx/model.onnx, then model.onnx, then the vision graph of a split dual
 * encoder (`splitTowerFiles`), then the only/first other .onnx.
 */
export function resolveGraphFile(p: string): { file: string; configDir: string; format: ModelInfo['format'] } {
  const abs = path.resolve(p)
  let st: fs.Stats
  try {
    st = fs.statSync(abs)
  } catch {
    throw badInput(abs, 'model not found')
  }
  if (st.isFile()) {
    if (!abs.toLowerCase().endsWith('.onnx')) throw badInput(abs, 'expected an .onnx file or a model folder')
    const dir = path.dirname(abs)
    // An Optimum folder opened by its graph file: configs live one level up from onnx/.
    const up = path.basename(dir) === 'onnx' && fs.existsSync(path.join(dir, '..', 'config.json')) ? path.dirname(dir) : dir
    return { file: abs, configDir: up, format: up === dir ? 'onnx-file' : 'onnx-folder' }
  }
  for (const c of [path.join(abs, 'onnx', 'model.onnx'), path.join(abs, 'model.onnx')]) if (fs.existsSync(c)) return { file: c, configDir: abs, format: 'onnx-folder' }
  const split = splitTowerFiles(abs)
  if (split) return { file: split.vision, configDir: abs, format: 'onnx-folder' }
  for (const sub of [path.join(abs, 'onnx'), abs]) {
    if (!fs.existsSync(sub)) continue
    const found = fs.readdirSync(sub).filter((f) => f.toLowerCase().endsWith('.onnx')).sort()
    if (found.length) return { file: path.join(sub, found[0]!), configDir: abs, format: 'onnx-folder' }
  }
  throw badInput(abs, 'no .onnx file in this folder (looked for onnx/model.onnx, model.onnx and any *.onnx)')
}

/** transformers.js' layout of a dual encoder: `onnx/vision_model.onnx` beside `onnx/text_model.onnx`. */
export function splitTowerFiles(folder: string): Record<TowerName, string> | null {
  for (const sub of [path.join(folder, 'onnx'), folder]) {
    const vision = path.join(sub, 'vision_model.onnx')
    const text = path.join(sub, 'text_model.onnx')
    if (fs.existsSync(vision) && fs.existsSync(text)) return { vision, text }
  }
  return null
}

function imageInputOf(inputs: TensorDecl[]): string | null {
  return (inputs.find((i) => i.name === 'pixel_values') ?? inputs.find((i) => i.type.startsWith('float') && i.shape?.length === 4) ?? null)?.name ?? null
}

function fileTower(name: TowerName, file: string, g: GraphSummary): TowerInfo {
  const { inputs, outputs, hiddenStates, residualStream, tappable, floatElemType, externalDataFiles, tokenEmbeddingWidth } = g
  return { name, file, inputs, outputs, hiddenStates, residualStream, tappable, floatElemType, externalDataFiles, tokenEmbeddingWidth }
}

/** A tower's width from its part of config.json (`vision_config.hidden_size`, `text_config.hidden_size`, as CLIP and SigLIP write them). */
function towerWidth(config: Json | null, name: TowerName): Pick<ModelInfo, 'hiddenSize' | 'hiddenSizeSource'> {
  const part = config?.[`${name}_config`]
  const v = part && typeof part === 'object' ? (part as Json).hidden_size : undefined
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? { hiddenSize: v, hiddenSizeSource: `config.json ${name}_config.hidden_size` } : { hiddenSize: null, hiddenSizeSource: null }
}

/**
 * The model as one tower sees it: the graph fields, file and modality become the tower's, so
 * extraction feeds only its inputs and offers only its layers. For a model with one tower, naming its
 * own modality is allowed and changes nothing.
 */
export function selectTower(info: ModelInfo, name: TowerName): ModelInfo {
  if (info.towers.length === 0) {
    if (name === info.modality) return info
    throw badArg('tower', `${info.path} has one tower (${info.modality}), not a ${name} tower`)
  }
  const t = info.towers.find((x) => x.name === name)
  if (!t) throw badArg('tower', `${info.path} has no ${name} tower (towers: ${info.towers.map((x) => x.name).join(', ')})`)
  const { file, inputs, outputs, hiddenStates, residualStream, tappable, floatElemType, externalDataFiles } = t
  const { plan: decoder, problems: decoderProblems } = decoderInputPlan(inputs, info.config)
  return {
    ...info,
    ...towerWidth(info.config, name),
    file,
    inputs,
    outputs,
    hiddenStates,
    residualStream,
    tappable,
    floatElemType,
    externalDataFiles,
    tokenEmbeddingWidth: name === 'text' ? t.tokenEmbeddingWidth : null,
    decoder,
    decoderProblems,
    modality: name,
    tower: name,
    imageInput: name === 'vision' ? imageInputOf(inputs) : null,
  }
}

function sidecarOf(file: string): string | null {
  for (const c of [`${file}.json`, file.replace(/\.onnx$/i, '.json')]) if (c !== file && fs.existsSync(c)) return c
  return null
}

function detectModality(g: GraphSummary, config: Json | null, sidecar: Json | null): Modality {
  const sm = sidecar?.modality
  if (sm === 'vision' || sm === 'text') return sm
  const names = g.inputs.map((i) => i.name)
  if (names.includes('pixel_values')) return 'vision'
  if (names.includes('input_ids')) return 'text'
  const mt = typeof config?.model_type === 'string' ? config.model_type : ''
  if (/vit|clip_vision|dino|beit|deit|swin|convnext|resnet|siglip_vision|mae/i.test(mt)) return 'vision'
  if (/gpt|llama|bert|t5|mistral|qwen|phi|gemma|opt|bloom|falcon|roberta/i.test(mt)) return 'text'
  const floatImage = g.inputs.filter((i) => i.type.startsWith('float') && i.shape?.length === 4)
  if (floatImage.length === 1 && g.inputs.length === 1) return 'vision'
  return 'unknown'
}

function resolveRelative(where: string, base: string, ref: unknown): string {
  if (typeof ref !== 'string' || !ref) throw badInput(where, 'tokenizer must be a path to a tokenizer.json')
  return path.resolve(base, ref)
}

/**
 * Reads a checkpoint (Optimum/transformers.js folder or bare .onnx with optional sidecar JSON) and its
 * graph: inputs, outputs, declared hidden states, tappable tensors and the residual stream. Never
 * modifies anything. A missing image preprocessing config is reported (image: null), not guessed;
 * `requireRunnable` turns that into the error the user sees at extraction time.
 */
export function inspectModel(p: string): ModelInfo {
  const { file, configDir, format } = resolveGraphFile(p)
  const proto = readModelProto(file)
  const g = summarizeGraph(proto)
  const split = fs.statSync(path.resolve(p)).isDirectory() ? splitTowerFiles(configDir) : null
  const splitText = split?.vision === file ? split.text : null
  const textProto = splitText ? readModelProto(splitText) : null
  let towers: TowerInfo[]
  if (textProto) towers = [fileTower('vision', file, g), fileTower('text', splitText!, summarizeGraph(textProto))]
  else towers = findTowers(proto, g).map((t) => ({ ...t, file, floatElemType: g.floatElemType, externalDataFiles: g.externalDataFiles, tokenEmbeddingWidth: g.tokenEmbeddingWidth }))
  const config = readJsonIf(path.join(configDir, 'config.json'))
  const sidecarPath = sidecarOf(file)
  const sidecar = sidecarPath ? readJsonIf(sidecarPath) : null
  const modality = detectModality(g, config, sidecar)

  let image: ImagePreprocessing | null = null
  let imageSource: string | null = null
  const ppPath = path.join(configDir, 'preprocessor_config.json')
  const pp = readJsonIf(ppPath)
  if (sidecar && sidecar.preprocessing && typeof sidecar.preprocessing === 'object') {
    image = parseImagePreprocessing(sidecarPath!, sidecar.preprocessing as Json)
    imageSource = sidecarPath
  } else if (pp) {
    image = parseImagePreprocessing(ppPath, pp)
    imageSource = ppPath
  }
  const imageInput = modality === 'vision' ? imageInputOf(g.inputs) : null

  let tokenizer: ModelInfo['tokenizer'] = null
  if (sidecar && sidecar.tokenizer !== undefined) {
    const json = resolveRelative(sidecarPath!, path.dirname(sidecarPath!), sidecar.tokenizer)
    const cfg = sidecar.tokenizer_config !== undefined ? resolveRelative(sidecarPath!, path.dirname(sidecarPath!), sidecar.tokenizer_config) : path.join(path.dirname(json), 'tokenizer_config.json')
    tokenizer = { json, config: fs.existsSync(cfg) ? cfg : null }
  } else if (fs.existsSync(path.join(configDir, 'tokenizer.json'))) {
    const cfg = path.join(configDir, 'tokenizer_config.json')
    tokenizer = { json: path.join(configDir, 'tokenizer.json'), config: fs.existsSync(cfg) ? cfg : null }
  }
  const textConfig = config?.text_config && typeof config.text_config === 'object' ? (config.text_config as Json) : null
  const posRaw = config?.n_positions ?? config?.max_position_embeddings ?? textConfig?.max_position_embeddings
  const positionLimit = typeof posRaw === 'number' && posRaw > 0 ? posRaw : null
  // Checked here, before anything hashes or loads the data files; a split dual encoder has two graphs.
  const weightFiles = [file, ...checkExternalData(file, externalRefs(proto.graph!))]
  if (splitText) weightFiles.push(splitText, ...checkExternalData(splitText, externalRefs(textProto!.graph!)))
  const { plan: decoder, problems: decoderProblems } = decoderInputPlan(g.inputs, config)
  const { hiddenSize, hiddenSizeSource } = hiddenWidth(config, g, modality)
  const info: ModelInfo = {
    ...g,
    path: path.resolve(p),
    file,
    configDir,
    format,
    modality,
    config,
    image,
    imageSource,
    imageInput,
    tokenizer,
    positionLimit,
    sidecar: sidecarPath,
    weightFiles,
    decoder,
    decoderProblems,
    hiddenSize,
    hiddenSizeSource,
    towers,
    tower: null,
    pruneToTower: towers.length > 0 && !splitText,
    whole: null,
  }
  if (!towers.length) return info
  info.whole = splitText ? { inputs: towers.flatMap((t) => t.inputs), outputs: towers.flatMap((t) => t.outputs), tappable: towers.flatMap((t) => t.tappable) } : { inputs: g.inputs, outputs: g.outputs, tappable: g.tappable }
  return selectTower(info, modality === 'text' ? 'text' : 'vision')
}

/** The residual stream's width: config.json's hidden_size / n_embd / d_model, else a text model's token embedding width. */
function hiddenWidth(config: Json | null, g: GraphSummary, modality: Modality): { hiddenSize: number | null; hiddenSizeSource: string | null } {
  if (config && ('hidden_sizes' in config || 'depths' in config)) return { hiddenSize: null, hiddenSizeSource: null }
  for (const key of ['hidden_size', 'n_embd', 'd_model']) {
    const v = config?.[key]
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return { hiddenSize: v, hiddenSizeSource: `config.json ${key}` }
  }
  return modality === 'text' && g.tokenEmbeddingWidth ? { hiddenSize: g.tokenEmbeddingWidth, hiddenSizeSource: 'token embedding' } : { hiddenSize: null, hiddenSizeSource: null }
}

/** Why the model cannot be run on data as it is, one sentence each (empty when it can). */
export function runProblems(info: ModelInfo): string[] {
  if (info.modality === 'unknown') {
    return [`cannot tell whether this is a vision or a text model (inputs: ${info.inputs.map((i) => i.name).join(', ')}); add a sidecar ${path.basename(info.file)}.json with {"modality": "vision" | "text", ...}`]
  }
  const problems: string[] = []
  if (info.modality === 'vision') {
    if (!info.image)
      problems.push(
        `vision model without image preprocessing: provide a preprocessor_config.json next to config.json (Hugging Face image processor: size, resample, rescale_factor, image_mean, image_std) or a sidecar ${path.basename(info.file)}.json with {"modality": "vision", "preprocessing": {...}}`,
      )
    if (!info.imageInput) problems.push('vision model without a 4-D float image input')
  }
  if (info.modality === 'text') {
    if (!info.tokenizer) problems.push(`text model without a tokenizer: provide tokenizer.json (and tokenizer_config.json) next to config.json, or a sidecar ${path.basename(info.file)}.json with {"modality": "text", "tokenizer": "path/to/tokenizer.json"}`)
    if (!info.inputs.some((i) => i.name === 'input_ids')) problems.push(`text model without an input_ids input (inputs: ${info.inputs.map((i) => i.name).join(', ')})`)
    problems.push(...info.decoderProblems)
    const fed = new Set([...TOKEN_INPUTS, ...plannedInputs(info.decoder)])
    const unknown = info.inputs.filter((i) => !fed.has(i.name) && !info.decoderProblems.some((p) => p.startsWith(`${i.name} `)))
    if (unknown.length) problems.push(`cannot feed input(s) ${unknown.map((i) => i.name).join(', ')}: only token inputs (${TOKEN_INPUTS.join(', ')}) and a decoder's key/value cache (past_key_values.*, use_cache_branch, cache_position) are known`)
  }
  return problems
}

/**
 * What is known, before anything runs, to be wrong with the residual stream: the token embedding's width
 * differing from the config's hidden size, or a stream tensor whose width (declared, or followed through
 * the graph by `lastAxisWidths`) is not the hidden size. (Widths that cannot be told are checked on the
 * first batch.)
 */
export function streamProblems(info: ModelInfo): string[] {
  const out: string[] = []
  if (!info.hiddenSize) return out
  if (info.modality === 'text' && info.tokenEmbeddingWidth && info.tokenEmbeddingWidth !== info.hiddenSize) out.push(`the token embedding is ${info.tokenEmbeddingWidth} wide but ${info.hiddenSizeSource} says ${info.hiddenSize}`)
  for (const name of info.residualStream) {
    const w = info.streamWidths[name]
    if (w !== undefined && w !== info.hiddenSize) out.push(`residual-stream tensor ${name} is ${w} wide, not ${info.hiddenSize} (${info.hiddenSizeSource})`)
  }
  return out
}

/** Why extraction would fail or be suspect, known before running: the model's run problems (or its image fit), then the stream's. */
export function modelWarnings(info: ModelInfo): string[] {
  const out = runProblems(info)
  if (out.length === 0 && info.modality === 'vision') {
    try {
      checkImageFit(info.image!, imageFitOf(info)!)
    } catch (e) {
      out.push(e instanceof Error ? e.message : String(e))
    }
  }
  return [...out, ...streamProblems(info)]
}

/** Throws the error a user should see when the model cannot be run on data. */
export function requireRunnable(info: ModelInfo): void {
  const problems = runProblems(info)
  if (problems.length) throw badInput(info.file, problems.join('; '))
  if (info.modality === 'vision') checkImageFit(info.image!, imageFitOf(info)!)
}
