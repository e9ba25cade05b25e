import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTextEncoder } from '../../../src-main/core/data/text'
import { MODELS } from '../../helpers/fixtures'

const dir = path.join(MODELS, 'gpt-tiny')
const enc = loadTextEncoder(path.join(dir, 'tokenizer.json'), path.join(dir, 'tokenizer_config.json'), 64)

describe('text encoder (gpt-tiny tokenizer.json)', () => {
  it('reads padding rules from tokenizer_config.json', () => {
    expect(enc.prep).toEqual({ padTokenId: 0, paddingSide: 'right', maxLength: 64, addSpecialTokens: true })
  })

  it('adds [BOS] first, lower-cases and splits punctuation into [UNK] (README: [PAD]=0 [UNK]=1 [BOS]=2)', () => {
    const ids = enc.encode('A small yellow circle, at the top')
    expect(ids[0]).toBe(2)
    expect(ids).toEqual(enc.encode('a small yellow circle , at the top'))
    expect(ids[5]).toBe(1)
    expect(ids.length).toBe(9)
  })

  it('pads right with [PAD] and mask 0, as int64', () => {
    const b = enc.encodeBatch(['a red circle', 'a'])
    expect([b.batch, b.seq]).toEqual([2, 4])
    expect(Array.from(b.lengths)).toEqual([4, 2])
    expect(Array.from(b.attentionMask)).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n])
    expect(b.inputIds[6]).toBe(0n)
    expect(b.inputIds[4]).toBe(2n)
  })

  it('pads left when the config says so', () => {
    const l = loadTextEncoder(path.join(dir, 'tokenizer.json'), path.join(dir, 'tokenizer_config.json'), 64)
    l.prep.paddingSide = 'left'
    const b = l.encodeBatch(['a red circle', 'a'])
    expect(Array.from(b.attentionMask)).toEqual([1n, 1n, 1n, 1n, 0n, 0n, 1n, 1n])
    expect(b.inputIds[6]).toBe(2n)
  })

  it('truncates to the position limit', () => {
    const short = loadTextEncoder(path.join(dir, 'tokenizer.json'), path.join(dir, 'tokenizer_config.json'), 5)
    expect(short.encode('a small yellow circle at the top right').length).toBe(5)
  })

  it('names a broken tokenizer file', () => {
    expect(() => loadTextEncoder(path.join(MODELS, 'vit-tiny', 'nope.json'), null)).toThrow(/nope\.json: file not found/)
    expect(() => loadTextEncoder(path.join(MODELS, 'vit-tiny', 'config.json'), null)).toThrow(/config\.json: cannot load the tokenizer/)
  })
})
