import { Tokenizer } from '@huggingface/tokenizers'
import { badInput } from '../../common/errors'
import { cutCaption } from './captionLimit'
import { readUserJsonObject } from './userText'

/** Padding/truncation settings read from tokenizer_config.json (transformers' PreTrainedTokenizerFast). */
export interface TextPreprocessing {
  padTokenId: number
  paddingSide: 'left' | 'right'
  /** Longest sequence the model accepts, including special tokens. */
  maxLength: number
  addSpecialTokens: boolean
}

/** A padded batch of token ids ready for an ONNX text model: int64 `[batch, seq]` plus lengths. */
export interface TokenBatch {
  inputIds: BigInt64Array
  attentionMask: BigInt64Array
  batch: number
  seq: number
  /** Number of real (unpadded) tokens of each row. */
  lengths: Int32Array
  paddingSide: 'left' | 'right'
}

export interface TextEncoder {
  prep: TextPreprocessing
  /** Token ids of one text, special tokens added by the tokenizer's post-processor, truncated. */
  encode(text: string): number[]
  /** Pads a batch to its longest member on the configured side. */
  encodeBatch(texts: string[]): TokenBatch
}

const readJson = readUserJsonObject

function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content
  return undefined
}

/**
 * Loads tokenizer.json with @huggingface/tokenizers (the maintained port of the Rust library, so
 * normaliser, pre-tokeniser, model and post-processor behave as in transformers) and the padding rules
 * of tokenizer_config.json: pad_token (falling back to eos, as GPT-2 users commonly configure),
 * padding_side (default right) and model_max_length (capped by `positionLimit`, e.g. n_positions).
 */
export function loadTextEncoder(tokenizerJson: string, tokenizerConfigJson: string | null, positionLimit?: number): TextEncoder {
  const tok = readJson(tokenizerJson)
  const cfg = tokenizerConfigJson ? readJson(tokenizerConfigJson) : {}
  let tokenizer: Tokenizer
  try {
    tokenizer = new Tokenizer(tok, cfg)
  } catch (e) {
    throw badInput(tokenizerJson, `cannot load the tokenizer (${e instanceof Error ? e.message : String(e)})`)
  }
  const where = tokenizerConfigJson ?? tokenizerJson
  const padContent = tokenContent(cfg.pad_token) ?? tokenContent(cfg.eos_token)
  let padTokenId = 0
  if (padContent !== undefined) {
    const id = tokenizer.token_to_id(padContent)
    if (id === undefined) throw badInput(where, `pad_token ${JSON.stringify(padContent)} is not in the vocabulary`)
    padTokenId = id
  }
  const side = cfg.padding_side ?? 'right'
  if (side !== 'left' && side !== 'right') throw badInput(where, `padding_side must be "left" or "right", got ${JSON.stringify(side)}`)
  // transformers uses a huge sentinel (1e30) for "no limit"; the position table is the real limit then.
  let maxLength = typeof cfg.model_max_length === 'number' && cfg.model_max_length > 0 && cfg.model_max_length < 1e9 ? cfg.model_max_length : Infinity
  if (positionLimit !== undefined && positionLimit > 0) maxLength = Math.min(maxLength, positionLimit)
  if (!Number.isFinite(maxLength)) maxLength = 512
  const prep: TextPreprocessing = { padTokenId, paddingSide: side, maxLength, addSpecialTokens: true }
  return makeEncoder(tokenizer, prep)
}

/** Builds an encoder around an already-constructed tokenizer (tests use this to vary padding side). */
export function makeEncoder(tokenizer: Tokenizer, prep: TextPreprocessing): TextEncoder {
  const encode = (text: string): number[] => {
    // Datasets cut long captions when loaded; this bounds every other caller the same way.
    const ids = tokenizer.encode(cutCaption(text), { add_special_tokens: prep.addSpecialTokens }).ids
    // Truncation keeps the head, as transformers' default truncation_side "right" does.
    return ids.length > prep.maxLength ? ids.slice(0, prep.maxLength) : ids
  }
  return {
    prep,
    encode,
    encodeBatch(texts) {
      const all = texts.map(encode)
      const seq = Math.max(1, ...all.map((a) => a.length))
      const batch = texts.length
      const inputIds = new BigInt64Array(batch * seq).fill(BigInt(prep.padTokenId))
      const attentionMask = new BigInt64Array(batch * seq)
      const lengths = new Int32Array(batch)
      for (let b = 0; b < batch; b++) {
        const ids = all[b]!
        lengths[b] = ids.length
        const start = prep.paddingSide === 'left' ? seq - ids.length : 0
        for (let t = 0; t < ids.length; t++) {
          inputIds[b * seq + start + t] = BigInt(ids[t]!)
          attentionMask[b * seq + start + t] = 1n
        }
      }
      return { inputIds, attentionMask, batch, seq, lengths, paddingSide: prep.paddingSide }
    },
  }
}
