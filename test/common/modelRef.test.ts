import { describe, expect, it } from 'vitest'
import { modelRef, modelTowers, parseModelRef } from '../../src-main/common/modelRef'

describe('model references (id or id:tower)', () => {
  it('splits a tower off the last colon only when it names a tower', () => {
    expect(parseModelRef('clip:vision')).toEqual({ id: 'clip', tower: 'vision' })
    expect(parseModelRef('clip:text')).toEqual({ id: 'clip', tower: 'text' })
    expect(parseModelRef('a:b:text')).toEqual({ id: 'a:b', tower: 'text' })
    expect(parseModelRef('clip:audio')).toEqual({ id: 'clip:audio', tower: null })
    expect(parseModelRef('clip:vision:x')).toEqual({ id: 'clip:vision:x', tower: null })
    expect(parseModelRef(':vision')).toEqual({ id: ':vision', tower: null })
    expect(parseModelRef('clip')).toEqual({ id: 'clip', tower: null })
  })

  it('round-trips with modelRef', () => {
    for (const [id, tower] of [['m1', 'vision'], ['x:y', 'text'], ['plain', null]] as const) expect(parseModelRef(modelRef(id, tower))).toEqual({ id, tower })
  })

  it('lists only the towers it knows, in the registry order', () => {
    expect(modelTowers({ info: { towers: [{ name: 'text' }, { name: 'audio' }, { name: 'vision' }] } })).toEqual(['text', 'vision'])
    expect(modelTowers({ info: {} })).toEqual([])
    expect(modelTowers({ info: { towers: 'vision' } })).toEqual([])
  })
})
