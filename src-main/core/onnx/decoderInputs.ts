import type { TensorDecl } from './graph'

/**
 * The extra inputs of a decoder exported "with past" (Optimum's text-generation-with-past and
 * decoder_model_merged, transformers.js' onnx/model*.onnx): an empty key/value cache, the merged
 * graph's `use_cache_branch` switch and `cache_position`. Reading a prompt in one pass needs no cache,
 * so every past tensor is fed with zero positions and the graph computes exactly what the same decoder
 * exported without past would. Plain data only: a plan is sent to the batch-preparation worker.
 */

/** A tensor as plain typed data (no onnxruntime), so a batch can cross to another thread. */
export interface HostTensor {
  type: 'float32' | 'float16' | 'int64' | 'bool'
  data: Float32Array | Uint16Array | BigInt64Array | Uint8Array
  dims: number[]
}

/** One past key or value input: each dim a fixed size, the batch size, or the (empty) past length. */
export interface PastInput {
  name: string
  type: 'float32' | 'float16'
  dims: (number | 'batch' | 'past')[]
}

export interface DecoderInputPlan {
  past: PastInput[]
  /** Name of the merged graph's bool switch (fed `false`: run without a cache), if declared. */
  useCacheBranch: string | null
  /** Name of a `cache_position` input (positions of the new tokens in the cache: 0..T-1), if declared. */
  cachePosition: string | null
}

/** Decoder inputs without a batch axis (`use_cache_branch` [1], `cache_position` [T]): a smaller batch feeds them as they are. */
export const UNBATCHED_INPUTS: ReadonlySet<string> = new Set(['use_cache_branch', 'cache_position'])

/** Inputs a text model is fed from the tokenizer alone. */
export const TOKEN_INPUTS: readonly string[] = ['input_ids', 'attention_mask', 'token_type_ids', 'position_ids']

/** past_key_values.0.key, past_key_values.3.value, past.0.key ... (Optimum and transformers.js naming). */
export function isPastInput(name: string): boolean {
  return /^past_key_values([._]|$)|^past[._]\d/.test(name)
}

type Json = Record<string, unknown>

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null)

/**
 * Key/value heads and head size from a Hugging Face config: num_key_value_heads (grouped-query
 * attention) else num_attention_heads / n_head (GPT-2); head_dim else hidden width / heads.
 */
export function cacheDims(config: Json | null): { kvHeads: number | null; headDim: number | null } {
  const c = config ?? {}
  const heads = num(c.num_attention_heads) ?? num(c.n_head) ?? num(c.num_heads)
  const kvHeads = num(c.num_key_value_heads) ?? num(c.num_kv_heads) ?? (c.multi_query === true ? 1 : null) ?? heads
  const width = num(c.hidden_size) ?? num(c.n_embd) ?? num(c.d_model)
  const headDim = num(c.head_dim) ?? (width && heads && width % heads === 0 ? width / heads : null)
  return { kvHeads, headDim }
}

/**
 * How to feed a decoder's cache inputs, from the graph's declared shapes and `config.json`, or the
 * reasons it cannot be fed (`plan` null when the model has no cache inputs). Declared sizes win; a
 * symbolic dim named like a batch or a past/sequence length is the batch or 0; the remaining dims of
 * the usual `[batch, kv_heads, past, head_dim]` layout come from the config.
 */
export function decoderInputPlan(inputs: readonly TensorDecl[], config: Json | null): { plan: DecoderInputPlan | null; problems: string[] } {
  const problems: string[] = []
  const past: PastInput[] = []
  const { kvHeads, headDim } = cacheDims(config)
  for (const inp of inputs) {
    if (!isPastInput(inp.name)) continue
    if (inp.type !== 'float32' && inp.type !== 'float16') {
      problems.push(
        inp.type === 'bfloat16'
          ? `${inp.name} is bfloat16, which onnxruntime-node cannot pass from JavaScript; export the model as float32 or float16`
          : `${inp.name} has element type ${inp.type}; a key/value cache input must be float32 or float16`,
      )
      continue
    }
    const shape = inp.shape ?? [null, null, null, null]
    const dims = shape.map((d, i): PastInput['dims'][number] | null => {
      if (typeof d === 'number') return d
      if (typeof d === 'string' && /batch/i.test(d)) return 'batch'
      if (typeof d === 'string' && /past|seq|len|total|cache/i.test(d)) return 'past'
      if (shape.length === 4) return i === 0 ? 'batch' : i === 1 ? kvHeads : i === 2 ? 'past' : headDim
      return null
    })
    const unresolved = shape.filter((_, i) => dims[i] === null)
    if (!dims.includes('past')) problems.push(`${inp.name} ${shapeText(shape)}: no dimension is the past length, so an empty cache cannot be fed`)
    else if (unresolved.length) problems.push(`${inp.name} ${shapeText(shape)}: cannot tell the size of ${unresolved.map((d) => d ?? '?').join(', ')}; config.json needs num_key_value_heads (or num_attention_heads) and head_dim (or hidden_size)`)
    else past.push({ name: inp.name, type: inp.type, dims: dims as PastInput['dims'] })
  }
  const names = new Set(inputs.map((i) => i.name))
  const useCacheBranch = names.has('use_cache_branch') ? 'use_cache_branch' : null
  const cachePosition = names.has('cache_position') ? 'cache_position' : null
  if (past.length === 0 && !useCacheBranch && !cachePosition && problems.length === 0) return { plan: null, problems }
  return { plan: problems.length ? null : { past, useCacheBranch, cachePosition }, problems }
}

function shapeText(s: readonly (number | string | null)[]): string {
  return `[${s.map((d) => d ?? '?').join(', ')}]`
}

/** Inputs a plan feeds, besides the token inputs. */
export function plannedInputs(plan: DecoderInputPlan | null): string[] {
  if (!plan) return []
  return [...plan.past.map((p) => p.name), ...(plan.useCacheBranch ? [plan.useCacheBranch] : []), ...(plan.cachePosition ? [plan.cachePosition] : [])]
}

/**
 * The padding side a text model needs, whatever its tokenizer_config says: 'right' when it takes no
 * position_ids. Such a model numbers tokens itself, and unless it counts them from the attention mask,
 * left padding would give the real tokens positions after the padding; with right padding they hold
 * 0..n-1 and, masked (or causal), never see the padding. With position_ids fed (cumsum of the mask)
 * either side is exact, so the tokenizer's choice stands (null).
 */
export function requiredPaddingSide(inputNames: readonly string[]): 'right' | null {
  return inputNames.includes('position_ids') ? null : 'right'
}

/**
 * Position of each token among the real tokens of its row: cumsum(mask) - 1, 0 on padding (as
 * transformers' generate builds position_ids), so the positions are the same for left and right padding.
 */
export function positionIdsFromMask(mask: BigInt64Array, batch: number, seq: number): BigInt64Array {
  const pos = new BigInt64Array(batch * seq)
  for (let b = 0; b < batch; b++) {
    let c = -1
    for (let t = 0; t < seq; t++) {
      if (mask[b * seq + t] === 1n) c++
      pos[b * seq + t] = BigInt(Math.max(c, 0))
    }
  }
  return pos
}

/** The cache inputs for a batch of `batch` rows of `seq` tokens: empty past tensors, `use_cache_branch` false, cache positions 0..seq-1. */
export function decoderFeeds(plan: DecoderInputPlan, batch: number, seq: number): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {}
  for (const p of plan.past) {
    const dims = p.dims.map((d) => (d === 'batch' ? batch : d === 'past' ? 0 : d))
    out[p.name] = { type: p.type, data: p.type === 'float16' ? new Uint16Array(0) : new Float32Array(0), dims }
  }
  if (plan.useCacheBranch) out[plan.useCacheBranch] = { type: 'bool', data: new Uint8Array([0]), dims: [1] }
  if (plan.cachePosition) out[plan.cachePosition] = { type: 'int64', data: BigInt64Array.from({ length: seq }, (_, i) => BigInt(i)), dims: [seq] }
  return out
}
