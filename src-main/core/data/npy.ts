import fs from 'node:fs'
import { badInput } from '../../common/errors'
import type { Mat, Tensor3 } from '../../common/matrix'
import { writeFileAtomically, type WriteTarget } from './atomicWrite'
import { openUserFile, readFully, readUserFile } from './userFile'

/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), the array format of the CLI contract.
 * Format: magic "\x93NUMPY", major and minor version bytes, a little-endian header length (uint16 for
 * 1.0, uint32 for 2.0/3.0), then an ASCII (3.0: UTF-8) Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }` padded so the data starts on a
 * multiple of 64 bytes, then the raw C-order data.
 * Source: numpy/lib/format.py ("NEP 1 — A Simple File Format for NumPy Arrays").
 */

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]) // \x93NUMPY

export interface NpyArray {
  data: Float32Array | Float64Array
  shape: number[]
  dtype: 'f4' | 'f8'
}

/** A .npy header: the dtype descriptor as written, the C-order shape, and where the data starts. */
export interface NpyHeader {
  descr: string
  shape: number[]
  dataStart: number
}

/**
 * Longest header accepted. NumPy writes a few hundred bytes (format 2.0 exists for headers over 64 KiB,
 * i.e. structured dtypes with many fields, which this reader refuses anyway); a header claiming
 * gigabytes is an attack on the reader, refused before it is read.
 */
const MAX_HEADER_BYTES = 1 << 20

/** Bytes to read from the start of a file to be sure of having a whole ordinary header. */
const HEADER_PROBE_BYTES = 4096

/** Parses and checks the magic, version and header dict of a .npy buffer (any dtype); `buf` may end after the header. */
export function parseNpyHeader(buf: Buffer, name: string): NpyHeader {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw badInput(name, 'not a NumPy .npy file (bad magic bytes)')
  const major = buf[6]!
  let headerLen: number
  let headerStart: number
  if (major === 1) {
    headerLen = buf.readUInt16LE(8)
    headerStart = 10
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw badInput(name, 'truncated .npy header')
    headerLen = buf.readUInt32LE(8)
    headerStart = 12
  } else {
    throw badInput(name, `unsupported .npy format version ${major}.${buf[7]}`)
  }
  const dataStart = headerStart + headerLen
  if (headerLen > MAX_HEADER_BYTES) throw badInput(name, `the .npy header claims ${headerLen} bytes; NumPy writes a few hundred`)
  if (buf.length < dataStart) throw badInput(name, 'truncated .npy header')
  const header = buf.subarray(headerStart, dataStart).toString(major === 3 ? 'utf8' : 'latin1')

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1]
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1]
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw badInput(name, `malformed .npy header: ${header.trim().slice(0, 200)}`)
  if (fortran === 'True') throw badInput(name, 'Fortran-order arrays are not supported; save with np.ascontiguousarray(x)')

  const shape: number[] = []
  for (const part of shapeText.split(',')) {
    const t = part.trim()
    if (t === '') continue
    if (!/^\d+$/.test(t)) throw badInput(name, `malformed shape (${shapeText.slice(0, 200)}) in .npy header`)
    shape.push(Number(t))
  }
  return { descr, shape, dataStart }
}

/** A float32/float64 .npy header checked against the file's size: the data is exactly `dataBytes` from `dataStart`. */
export interface FloatNpyHeader {
  dtype: 'f4' | 'f8'
  shape: number[]
  dataStart: number
  dataBytes: number
}

/**
 * Parses and checks a float .npy header from the file's first bytes (`head`, at least the whole
 * header) and its total size; `name` is used in every error message (usually the file path).
 * Everything that can be wrong with the file short of its values is found here, before the data is read.
 */
export function parseFloatNpyHeader(head: Buffer, name: string, fileBytes: number): FloatNpyHeader {
  const { descr, shape, dataStart } = parseNpyHeader(head, name)
  let dtype: 'f4' | 'f8'
  if (descr === '<f4' || (descr === '=f4' && littleEndianHost())) dtype = 'f4'
  else if (descr === '<f8' || (descr === '=f8' && littleEndianHost())) dtype = 'f8'
  else if (descr.startsWith('>') && /^>f[48]$/.test(descr)) throw badInput(name, `big-endian ${descr} is not supported; save little-endian float32 or float64`)
  else throw badInput(name, `expected float32 or float64 (<f4 or <f8), got ${descr.slice(0, 40)}`)

  const count = shape.reduce((a, b) => a * b, 1)
  const itemBytes = dtype === 'f4' ? 4 : 8
  const want = count * itemBytes
  const have = fileBytes - dataStart
  if (have < want) throw badInput(name, `truncated data: shape (${shape.join(', ')}) needs ${want} bytes, file has ${have}`)
  if (have > want) throw badInput(name, `file has ${have - want} bytes more than shape (${shape.join(', ')}) needs`)
  if (!littleEndianHost()) throw badInput(name, 'this machine is big-endian; .npy reading supports little-endian hosts only')
  return { dtype, shape, dataStart, dataBytes: want }
}

/** Parses a .npy buffer; `name` is used in every error message (usually the file path). */
export function parseNpy(buf: Buffer, name: string): NpyArray {
  const h = parseFloatNpyHeader(buf, name, buf.length)
  // Copy into a fresh, aligned buffer: the data offset need not be a multiple of 8.
  const bytes = new Uint8Array(h.dataBytes)
  bytes.set(buf.subarray(h.dataStart, h.dataStart + h.dataBytes))
  const data = h.dtype === 'f4' ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer)
  return { data, shape: h.shape, dtype: h.dtype }
}

/** Reads and checks only the header of a float .npy file (a regular file; FIFOs and devices are refused). */
export function readNpyHeader(file: string): FloatNpyHeader {
  const { fd, size } = openUserFile(file, { what: 'a .npy file' })
  try {
    return headerOf(fd, size, file)
  } finally {
    fs.closeSync(fd)
  }
}

function headerOf(fd: number, size: number, file: string): FloatNpyHeader {
  const probe = Buffer.alloc(Math.min(size, HEADER_PROBE_BYTES))
  readFully(fd, probe, 0, probe.length, 0)
  let head: Buffer = probe
  // A long (but plausible) header: read it whole, once the probe has shown how long it is.
  if (probe.length >= 12 && probe.subarray(0, 6).equals(MAGIC)) {
    const need = probe[6] === 1 ? 10 + probe.readUInt16LE(8) : 12 + probe.readUInt32LE(8)
    if (need > probe.length && need <= size && need <= 12 + MAX_HEADER_BYTES) {
      head = Buffer.alloc(need)
      readFully(fd, head, 0, need, 0)
    }
  }
  return parseFloatNpyHeader(head, file, size)
}

/**
 * Reads a float .npy file: the header is checked against the file's size first, then the data is read
 * straight into the typed array's own memory (no whole-file buffer, no second copy).
 */
export function readNpy(file: string): NpyArray {
  const { fd, size } = openUserFile(file, { what: 'a .npy file' })
  try {
    const h = headerOf(fd, size, file)
    const count = h.dataBytes / (h.dtype === 'f4' ? 4 : 8)
    const data = h.dtype === 'f4' ? new Float32Array(count) : new Float64Array(count)
    const got = readFully(fd, new Uint8Array(data.buffer), 0, h.dataBytes, h.dataStart)
    if (got !== h.dataBytes) throw badInput(file, `the file shrank while it was read (${got} of ${h.dataBytes} data bytes)`)
    return { data, shape: h.shape, dtype: h.dtype }
  } catch (e) {
    if (e instanceof RangeError) throw badInput(file, `cannot hold its data in memory (${e.message})`)
    throw e
  } finally {
    fs.closeSync(fd)
  }
}

/** The bytes of a .npy file (a regular file, at most 4 GiB); a missing or unreadable file is a bad-input error naming it. */
export function readNpyBytes(file: string): Buffer {
  return readUserFile(file, { what: 'a .npy file', maxBytes: 4 * 2 ** 30 })
}

/** Reads a 2-D `[N, D]` (as Mat) or 3-D `[N, L, D]` (as Tensor3) float array. */
export function readFeatures(file: string): Mat | Tensor3 {
  return toFeatures(readNpy(file), file)
}

export function toFeatures(a: NpyArray, name: string): Mat | Tensor3 {
  if (a.shape.length === 2) {
    const [rows, cols] = a.shape as [number, number]
    if (rows === 0 || cols === 0) throw badInput(name, `empty array of shape (${rows}, ${cols})`)
    return { data: a.data, rows, cols }
  }
  if (a.shape.length === 3) {
    const [n, layers, dim] = a.shape as [number, number, number]
    if (n === 0 || layers === 0 || dim === 0) throw badInput(name, `empty array of shape (${n}, ${layers}, ${dim})`)
    return { data: a.data, n, layers, dim }
  }
  throw badInput(name, `expected a 2-D [N, D] or 3-D [N, L, D] array, got shape (${a.shape.join(', ')})`)
}

/** Serialises a float32 array as .npy format 1.0 (2.0 when the header would not fit 65535 bytes). */
export function encodeNpy(data: Float32Array | Float64Array, shape: number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1)
  if (count !== data.length) throw new Error(`encodeNpy: data length ${data.length} != shape (${shape.join(', ')})`)
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data)
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`
  let major = 1
  let prefix = 10
  if (dict.length + 1 + prefix > 65535) {
    major = 2
    prefix = 12
  }
  const pad = (64 - ((prefix + dict.length + 1) % 64)) % 64
  dict = dict + ' '.repeat(pad) + '\n'
  const head = Buffer.alloc(prefix)
  MAGIC.copy(head, 0)
  head[6] = major
  head[7] = 0
  if (major === 1) head.writeUInt16LE(dict.length, 8)
  else head.writeUInt32LE(dict.length, 8)
  const body = Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength)
  return Buffer.concat([head, Buffer.from(dict, 'latin1'), body])
}

/**
 * Refuses a tensor whose layers differ in width (a CNN's stages): it has no `[N, L, D]` array shape.
 * Align and the views take such a feature set as it is, layer by layer.
 */
export function requireOneWidth(where: string, x: Mat | Tensor3): void {
  if ('dims' in x && x.dims) {
    throw badInput(where, `the layers have different widths (${x.dims.join(', ')}), so they do not fit one [N, L, D] array; use the feature set id with align, or choose layers of one width (named as \`layers\` lists them)`)
  }
}

/**
 * Writes `[N, D]` (Mat) or `[N, L, D]` (Tensor3) features as float32 .npy; creates the folder. Atomic
 * (temporary file, then rename); an existing file is replaced only with `overwrite`.
 */
export function writeFeatures(file: string, x: Mat | Tensor3, target: WriteTarget = {}): void {
  requireOneWidth(file, x)
  const shape = 'rows' in x ? [x.rows, x.cols] : [x.n, x.layers, x.dim]
  writeFileAtomically(file, encodeNpy(x.data, shape), { mkdir: true, ...target })
}

function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
}
