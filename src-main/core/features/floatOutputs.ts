import type * as ort from 'onnxruntime-node'
import { badArg } from '../../common/errors'

/** A layer's output as float32: float32 as is, float64, float16 and bfloat16 converted; anything else is not an activation. */
export function toFloat32(name: string, t: ort.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array
  if (t.type === 'float64') return Float32Array.from(t.data as Float64Array)
  if (t.type === 'float16') {
    const d = t.data as unknown as ArrayLike<number> & { constructor: { name: string } }
    if (d.constructor.name === 'Float16Array') return Float32Array.from(d)
    return halfBitsToFloat32(d as Uint16Array)
  }
  // Not in onnxruntime-common's type list yet, but a bfloat16 output arrives as its raw 16-bit patterns.
  if ((t.type as string) === 'bfloat16') return bfloat16BitsToFloat32(t.data as unknown as Uint16Array)
  throw badArg('layers', `tensor ${name} is ${t.type}, not a float activation; pick another layer`)
}

/** IEEE 754 binary16 bit patterns to float32 (subnormals, infinities and NaN included). */
function halfBitsToFloat32(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length)
  for (let i = 0; i < h.length; i++) {
    const x = h[i]!
    const s = x & 0x8000 ? -1 : 1
    const e = (x >> 10) & 0x1f
    const f = x & 0x3ff
    out[i] = e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15)
  }
  return out
}

/** bfloat16 bit patterns to float32: the pattern is the upper half of the float32's bits. */
function bfloat16BitsToFloat32(h: Uint16Array): Float32Array {
  const bits = new Uint32Array(h.length)
  for (let i = 0; i < h.length; i++) bits[i] = h[i]! << 16
  return new Float32Array(bits.buffer)
}

/** Index of the first NaN or infinity in `a`, or -1 (a function of its own, so the loop stays tight). */
export function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i
  return -1
}
