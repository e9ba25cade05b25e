import { describe, expect, it } from 'vitest'
import { cacheDims, decoderFeeds, decoderInputPlan, isPastInput, positionIdsFromMask, requiredPaddingSide } from '../../../src-main/core/onnx/decoderInputs'
import type { TensorDecl } from '../../../src-main/core/onnx/graph'

const ids: TensorDecl = { name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] }
const past = (name: string, shape: TensorDecl['shape'], type = 'float32'): TensorDecl => ({ name, type, shape })

describe('cacheDims', () => {
  it('grouped-query attention: num_key_value_heads and head_dim', () => {
    expect(cacheDims({ num_attention_heads: 32, num_key_value_heads: 8, head_dim: 128, hidden_size: 4096 })).toEqual({ kvHeads: 8, headDim: 128 })
  })
  it('GPT-2: n_head heads for keys and values, n_embd / n_head per head', () => {
    expect(cacheDims({ n_head: 12, n_embd: 768 })).toEqual({ kvHeads: 12, headDim: 64 })
  })
  it('multi-query (multi_query: true) has one key/value head; nothing known gives nulls', () => {
    expect(cacheDims({ multi_query: true, num_attention_heads: 16, hidden_size: 1024 })).toEqual({ kvHeads: 1, headDim: 64 })
    expect(cacheDims(null)).toEqual({ kvHeads: null, headDim: null })
  })
})

describe('decoderInputPlan', () => {
  it("Optimum's declared shapes: fixed heads and head size kept, batch and past length found by name", () => {
    const { plan, problems } = decoderInputPlan([ids, past('past_key_values.0.key', ['batch_size', 2, 'past_sequence_length', 16]), past('past_key_values.0.value', ['batch_size', 2, 'past_sequence_length', 16])], null)
    expect(problems).toEqual([])
    expect(plan).toEqual({ past: [{ name: 'past_key_values.0.key', type: 'float32', dims: ['batch', 2, 'past', 16] }, { name: 'past_key_values.0.value', type: 'float32', dims: ['batch', 2, 'past', 16] }], useCacheBranch: null, cachePosition: null })
  })

  it('symbolic heads and head size come from config.json; use_cache_branch and cache_position are planned', () => {
    const { plan } = decoderInputPlan(
      [ids, past('past_key_values.0.key', ['b', 'h', 'p', 'd'], 'float16'), { name: 'use_cache_branch', type: 'bool', shape: [1] }, { name: 'cache_position', type: 'int64', shape: ['sequence_length'] }],
      { num_attention_heads: 4, num_key_value_heads: 2, hidden_size: 64 },
    )
    // 'b', 'h', 'p', 'd' say nothing by name: the usual [batch, kv_heads, past, head_dim] layout applies.
    expect(plan).toEqual({ past: [{ name: 'past_key_values.0.key', type: 'float16', dims: ['batch', 2, 'past', 16] }], useCacheBranch: 'use_cache_branch', cachePosition: 'cache_position' })
  })

  it('no cache inputs: no plan and no problem', () => {
    expect(decoderInputPlan([ids, { name: 'attention_mask', type: 'int64', shape: null }], null)).toEqual({ plan: null, problems: [] })
  })

  it('cannot be fed: bfloat16, a fixed past length, sizes neither declared nor in the config', () => {
    expect(decoderInputPlan([past('past_key_values.0.key', ['batch', 2, 'past', 16], 'bfloat16')], null).problems[0]).toMatch(/bfloat16.*float32 or float16/)
    expect(decoderInputPlan([past('past_key_values.0.key', [1, 2, 128, 16])], null).problems[0]).toMatch(/no dimension is the past length/)
    const p = decoderInputPlan([past('past_key_values.0.key', ['batch', 'heads', 'past', 'dim'])], null)
    expect(p.plan).toBeNull()
    expect(p.problems[0]).toMatch(/cannot tell the size of heads, dim; config\.json needs num_key_value_heads/)
  })

  it('isPastInput: Optimum and transformers.js names, not other inputs', () => {
    for (const n of ['past_key_values.0.key', 'past_key_values.11.value', 'past.3.key']) expect(isPastInput(n)).toBe(true)
    for (const n of ['input_ids', 'pixel_values', 'past_sequence', 'use_cache_branch']) expect(isPastInput(n)).toBe(false)
  })
})

describe('positionIdsFromMask', () => {
  it('cumsum(mask) - 1 with padding at 0: the real tokens get 0..n-1 on either side', () => {
    const mask = BigInt64Array.from([1n, 1n, 1n, 0n, 0n, 0n, 0n, 1n, 1n, 1n].map((x) => x))
    // Row 0 right-padded (3 real of 5), row 1 left-padded (3 real of 5).
    expect(Array.from(positionIdsFromMask(mask, 2, 5), Number)).toEqual([0, 1, 2, 2, 2, 0, 0, 0, 1, 2])
  })
})

describe('decoderFeeds', () => {
  it('empty past tensors of the batch size, use_cache_branch false, cache positions 0..T-1', () => {
    const f = decoderFeeds({ past: [{ name: 'past_key_values.0.key', type: 'float16', dims: ['batch', 2, 'past', 16] }], useCacheBranch: 'use_cache_branch', cachePosition: 'cache_position' }, 3, 4)
    expect(f['past_key_values.0.key']).toEqual({ type: 'float16', data: new Uint16Array(0), dims: [3, 2, 0, 16] })
    expect(f.use_cache_branch).toEqual({ type: 'bool', data: new Uint8Array([0]), dims: [1] })
    expect(Array.from(f.cache_position!.data as BigInt64Array, Number)).toEqual([0, 1, 2, 3])
  })
})

describe('requiredPaddingSide', () => {
  it("right without position_ids (the model numbers tokens itself), the tokenizer's choice with them", () => {
    expect(requiredPaddingSide(['input_ids', 'attention_mask', 'token_type_ids'])).toBe('right')
    expect(requiredPaddingSide(['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key'])).toBeNull()
  })
})
