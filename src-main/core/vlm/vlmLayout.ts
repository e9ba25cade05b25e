import fs from 'node:fs'
import path from 'node:path'
import { badArg, badInput } from '../../common/errors'
import { parseImagePreprocessing, type ImagePreprocessing } from '../data/imageProcessor'
import { readUserJsonObject } from '../data/userText'

type Json = Record<string, unknown>

/** The three graphs of a LLaVA-style export (transformers.js layout) in one precision variant. */
export const VLM_PARTS = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'] as const
export type VlmPart = (typeof VLM_PARTS)[number]

/**
 * Precision variants as transformers.js names them (`decoder_model_merged_fp16.onnx`, `_q4.onnx`, ...);
 * '' is the plain float32 file. The default is the first variant all three parts exist in.
 */
export const VLM_VARIANTS = ['', 'fp16', 'q4', 'q4f16', 'int8', 'uint8', 'quantized', 'bnb4'] as const
export type VlmVariant = (typeof VLM_VARIANTS)[number]

/** Everything needed to run a vision-language checkpoint, read before any session is created. */
export interface VlmLayout {
  dir: string
  variant: VlmVariant
  files: Record<VlmPart, string>
  /** Files whose bytes determine the answers: graphs, external data, configs, tokenizer. */
  hashedFiles: string[]
  config: Json
  image: ImagePreprocessing
  imageTokenId: number
  /** Image features per image, when config.json says (image_seq_length); else taken from the encoder's output. */
  imageSeqLength: number | null
  eosTokenIds: number[]
  padTokenId: number
  tokenizerJson: string
  tokenizerConfig: Json
  chatTemplate: string
  modelType: string
}

const readJson = readUserJsonObject

/**
 * Configs that ask for image handling this runner does not do: several tiles or crops per image, or a
 * resolution that depends on the image. Each is named in the error instead of being run wrongly.
 */
function unsupportedImageHandling(config: Json, pp: Json): string | null {
  const mt = typeof config.model_type === 'string' ? config.model_type : ''
  if (config.image_grid_pinpoints !== undefined) return `image_grid_pinpoints (${mt || 'LLaVA-NeXT'} "anyres" tiling)`
  if (/qwen2_vl|qwen2_5_vl|qwen3_vl/.test(mt)) return `${mt} dynamic resolution (patches merged per image size)`
  if (/idefics|smolvlm/.test(mt) || pp.do_image_splitting === true) return `${mt || 'this processor'}'s image splitting (do_image_splitting)`
  if (/phi3_v|phi4/.test(mt) || pp.num_crops !== undefined) return `${mt || 'this processor'}'s multi-crop images (num_crops)`
  if (/llava_onevision|llava_next/.test(mt)) return `${mt} multi-resolution tiling`
  if (/florence|paligemma|mllama|gemma3/.test(mt)) return `${mt} (not a LLaVA-style image-token layout)`
  return null
}

function intOf(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null
}

function partFile(onnxDir: string, part: VlmPart, variant: VlmVariant): string {
  return path.join(onnxDir, `${part}${variant ? `_${variant}` : ''}.onnx`)
}

/** External-data files an ONNX graph names beside itself (`model.onnx_data`, `model.onnx.data`). */
function externalData(file: string): string[] {
  return [`${file}_data`, `${file}.data`].filter((f) => fs.existsSync(f))
}

/**
 * Reads a vision-language checkpoint folder in the transformers.js layout: `onnx/vision_encoder.onnx`
 * (pixel_values -> image features, projector included), `onnx/embed_tokens.onnx` (input_ids ->
 * inputs_embeds), `onnx/decoder_model_merged.onnx` (inputs_embeds, attention_mask, position_ids and
 * past_key_values.* -> logits and present.*), plus config.json, preprocessor_config.json,
 * tokenizer.json and tokenizer_config.json with its chat_template (or chat_template.json/.jinja).
 */
export function inspectVlm(dir: string, variant?: VlmVariant): VlmLayout {
  const abs = path.resolve(dir)
  let st: fs.Stats
  try {
    st = fs.statSync(abs)
  } catch {
    throw badInput(abs, 'model folder not found')
  }
  if (!st.isDirectory()) throw badInput(abs, 'expected a model folder (onnx/vision_encoder.onnx, onnx/embed_tokens.onnx, onnx/decoder_model_merged.onnx, config.json, ...)')
  const onnxDir = fs.existsSync(path.join(abs, 'onnx')) ? path.join(abs, 'onnx') : abs
  const complete = (v: VlmVariant): boolean => VLM_PARTS.every((p) => fs.existsSync(partFile(onnxDir, p, v)))
  let chosen: VlmVariant
  if (variant !== undefined) {
    if (!(VLM_VARIANTS as readonly string[]).includes(variant)) throw badArg('dtype', `expected one of ${VLM_VARIANTS.filter(Boolean).join(', ')} (or none for float32), got ${variant}`)
    if (!complete(variant)) {
      const missing = VLM_PARTS.map((p) => partFile(onnxDir, p, variant)).filter((f) => !fs.existsSync(f))
      throw badInput(abs, `the ${variant || 'float32'} variant is incomplete: missing ${missing.map((f) => path.relative(abs, f)).join(', ')}`)
    }
    chosen = variant
  } else {
    const found = VLM_VARIANTS.find(complete)
    if (found === undefined) {
      const single = fs.readdirSync(onnxDir).filter((f) => f.endsWith('.onnx'))
      throw badInput(
        abs,
        `not a LLaVA-style vision-language export: expected onnx/vision_encoder.onnx, onnx/embed_tokens.onnx and onnx/decoder_model_merged.onnx (found ${single.length ? single.join(', ') : 'no .onnx file'})`,
      )
    }
    chosen = found
  }
  const files = Object.fromEntries(VLM_PARTS.map((p) => [p, partFile(onnxDir, p, chosen)])) as Record<VlmPart, string>

  const configFile = path.join(abs, 'config.json')
  if (!fs.existsSync(configFile)) throw badInput(abs, 'config.json is missing (it gives the image token id and the decoder shape)')
  const config = readJson(configFile)
  const ppFile = path.join(abs, 'preprocessor_config.json')
  if (!fs.existsSync(ppFile)) throw badInput(abs, 'preprocessor_config.json is missing (the image processor the vision encoder expects)')
  const pp = readJson(ppFile)
  const unsupported = unsupportedImageHandling(config, pp)
  if (unsupported) throw badInput(configFile, `unsupported image handling: ${unsupported}; only one fixed-size image per question (LLaVA-1.5 style) is supported`)
  // Processor fields that concern the text side (image token, patch size) are not pixel settings.
  const pixelFields = Object.fromEntries(Object.entries(pp).filter(([k]) => !['image_seq_length', 'patch_size', 'vision_feature_select_strategy', 'num_image_tokens', 'processor_class'].includes(k)))
  const image = parseImagePreprocessing(ppFile, pixelFields)

  const textConfig = (config.text_config && typeof config.text_config === 'object' ? config.text_config : {}) as Json
  const imageTokenId = intOf(config.image_token_index) ?? intOf(config.image_token_id)
  if (imageTokenId === null) throw badInput(configFile, 'no image_token_index (or image_token_id): cannot tell where the image goes in the prompt')
  const imageSeqLength = intOf(config.image_seq_length) ?? intOf(pp.image_seq_length) ?? intOf(pp.num_image_tokens)

  const genFile = path.join(abs, 'generation_config.json')
  const gen = fs.existsSync(genFile) ? readJson(genFile) : {}
  const eosRaw = gen.eos_token_id ?? config.eos_token_id ?? textConfig.eos_token_id
  const eosTokenIds = (Array.isArray(eosRaw) ? eosRaw : [eosRaw]).map(intOf).filter((x): x is number => x !== null)

  const tokenizerJson = path.join(abs, 'tokenizer.json')
  if (!fs.existsSync(tokenizerJson)) throw badInput(abs, 'tokenizer.json is missing')
  const tcFile = path.join(abs, 'tokenizer_config.json')
  const tokenizerConfig = fs.existsSync(tcFile) ? readJson(tcFile) : {}
  let chatTemplate: string | null = typeof tokenizerConfig.chat_template === 'string' ? tokenizerConfig.chat_template : null
  const ctJson = path.join(abs, 'chat_template.json')
  const ctJinja = path.join(abs, 'chat_template.jinja')
  if (fs.existsSync(ctJinja)) chatTemplate = fs.readFileSync(ctJinja, 'utf8')
  else if (fs.existsSync(ctJson)) {
    const t = readJson(ctJson).chat_template
    if (typeof t === 'string') chatTemplate = t
  }
  if (!chatTemplate) throw badInput(tcFile, 'no chat_template (in tokenizer_config.json, chat_template.json or chat_template.jinja); the prompt cannot be built as the model was trained')
  if (eosTokenIds.length === 0) throw badInput(configFile, 'no eos_token_id (config.json or generation_config.json): generation could not stop before the token limit')
  const padTokenId = intOf(gen.pad_token_id) ?? intOf(config.pad_token_id) ?? intOf(textConfig.pad_token_id) ?? eosTokenIds[0]!

  const hashedFiles = [
    ...VLM_PARTS.flatMap((p) => [files[p], ...externalData(files[p])]),
    ...[configFile, ppFile, genFile, tokenizerJson, tcFile, ctJson, ctJinja].filter((f) => fs.existsSync(f)),
  ]
  return {
    dir: abs,
    variant: chosen,
    files,
    hashedFiles,
    config,
    image,
    imageTokenId,
    imageSeqLength,
    eosTokenIds,
    padTokenId,
    tokenizerJson,
    tokenizerConfig,
    chatTemplate,
    modelType: typeof config.model_type === 'string' ? config.model_type : 'llava',
  }
}
