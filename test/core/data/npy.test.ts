import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { encodeNpy, parseNpy, readFeatures, readNpy, writeFeatures } from '../../../src-main/core/data/npy'
import { FIXTURES } from '../../helpers/fixtures'
import { isAppError } from '../../../src-main/common/errors'

function header(dict: string, major = 1): Buffer {
  const prefix = major === 1 ? 10 : 12
  const pad = (64 - ((prefix + dict.length + 1) % 64)) % 64
  const text = dict + ' '.repeat(pad) + '\n'
  const h = Buffer.alloc(prefix)
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]).copy(h)
  h[6] = major
  if (major === 1) h.writeUInt16LE(text.length, 8)
  else h.writeUInt32LE(text.length, 8)
  return Buffer.concat([h, Buffer.from(text, 'latin1')])
}

function expectBadInput(fn: () => unknown, pattern: RegExp) {
  try {
    fn()
  } catch (e) {
    expect(isAppError(e) && e.code === 'BAD_INPUT', String(e)).toBe(true)
    expect((e as Error).message).toMatch(pattern)
    return
  }
  throw new Error('expected a BAD_INPUT error')
}

describe('npy', () => {
  it('reads files written by numpy (float32 2-D, float32 3-D, float64)', () => {
    // make_reference.py saved these with np.save; values checked against the reference scores elsewhere.
    const a = readNpy(path.join(FIXTURES, 'align', 'pair2d_a.npy'))
    expect(a.shape).toEqual([48, 16])
    expect(a.dtype).toBe('f4')
    const t = readFeatures(path.join(FIXTURES, 'align', 'layers3d_a.npy'))
    expect('n' in t && [t.n, t.layers, t.dim]).toEqual([36, 3, 10])
    const f8 = readNpy(path.join(FIXTURES, 'align', 'tails_f8_a.npy'))
    expect(f8.dtype).toBe('f8')
    expect(f8.data).toBeInstanceOf(Float64Array)
  })

  it('round-trips [N, D] and [N, L, D] as float32 with a 64-byte aligned header', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npy-'))
    const x = { data: Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i / 7), n: 2, layers: 3, dim: 4 }
    const f = path.join(dir, 'sub', 'x.npy')
    writeFeatures(f, x)
    const buf = fs.readFileSync(f)
    expect((10 + buf.readUInt16LE(8)) % 64).toBe(0)
    const back = readFeatures(f)
    expect(back).toEqual(x)
    const m = { data: Float64Array.from([1.5, -2, 3, 4]), rows: 2, cols: 2 }
    const back2 = parseNpy(encodeNpy(m.data, [2, 2]), 'm.npy')
    expect(Array.from(back2.data)).toEqual([1.5, -2, 3, 4])
    expect(back2.dtype).toBe('f4')
    fs.rmSync(dir, { recursive: true })
  })

  it('reads format 2.0 and 3.0 headers', () => {
    const body = Buffer.from(new Float64Array([1, 2, 3, 4, 5, 6]).buffer)
    for (const major of [2, 3]) {
      const a = parseNpy(Buffer.concat([header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", major), body]), 'v.npy')
      expect(a.shape).toEqual([2, 3])
      expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6])
    }
  })

  it('rejects what it cannot read with a message naming the file and the problem', () => {
    const f4 = Buffer.from(new Float32Array(6).buffer)
    const dict = (descr: string, fortran = 'False', shape = '(2, 3)') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`
    expectBadInput(() => parseNpy(Buffer.from('hello world, not numpy'), 'x.npy'), /^x\.npy: not a NumPy \.npy file/)
    expectBadInput(() => parseNpy(Buffer.concat([header(dict('<i8')), Buffer.alloc(48)]), 'a.npy'), /^a\.npy: expected float32 or float64.*got <i8/)
    expectBadInput(() => parseNpy(Buffer.concat([header(dict('|O')), Buffer.alloc(48)]), 'o.npy'), /got \|O/)
    expectBadInput(() => parseNpy(Buffer.concat([header(dict('>f4')), f4]), 'b.npy'), /big-endian/)
    expectBadInput(() => parseNpy(Buffer.concat([header(dict('<f4', 'True')), f4]), 'f.npy'), /Fortran-order/)
    expectBadInput(() => parseNpy(Buffer.concat([header(dict('<f4')), f4.subarray(0, 20)]), 't.npy'), /truncated data.*needs 24 bytes, file has 20/)
    expectBadInput(() => parseNpy(Buffer.concat([header(dict('<f4')), f4, Buffer.alloc(4)]), 'e.npy'), /4 bytes more/)
    expectBadInput(() => parseNpy(header(dict('<f4')).subarray(0, 30), 'h.npy'), /truncated \.npy header/)
    expectBadInput(() => readFeatures(path.join(os.tmpdir(), 'does-not-exist-npy-test.npy')), /file not found/)
    const oneD = Buffer.concat([header(dict('<f4', 'False', '(6,)')), f4])
    fs.writeFileSync(path.join(os.tmpdir(), 'npy-1d-test.npy'), oneD)
    expectBadInput(() => readFeatures(path.join(os.tmpdir(), 'npy-1d-test.npy')), /expected a 2-D \[N, D\] or 3-D \[N, L, D\] array, got shape \(6\)/)
    fs.rmSync(path.join(os.tmpdir(), 'npy-1d-test.npy'))
  })
})
