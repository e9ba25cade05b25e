import fs from 'node:fs'
import { badInput } from '../../common/errors'

/**
 * Limits on what decoding an ONNX graph may allocate. Each wire field of a decoded message becomes at
 * least one JavaScript value, so a file of millions of empty nodes (two bytes each) would exhaust the
 * heap; real exports stay far below these (a 70B-parameter decoder has about 10^4 nodes and 10^5 fields).
 */
export interface ScanLimits {
  /** Nodes in the graph, its subgraphs and functions together. */
  maxNodes: number
  /** Wire fields (and packed numbers kept) in the decoded messages together. */
  maxFields: number
  /** Nesting of messages (protobuf's own parsers stop at 100). */
  maxDepth: number
  /** Bytes of the structure once tensor payloads are left out. */
  maxStructureBytes: number
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxNodes: 1_000_000, maxFields: 5_000_000, maxDepth: 100, maxStructureBytes: 256 * 2 ** 20 }

/** Tensor payloads at least this large are left out of the structure (weights; small constants stay). */
export const PAYLOAD_KEPT_BYTES = 1024

type Msg =
  | 'Model'
  | 'Graph'
  | 'Node'
  | 'Attribute'
  | 'Tensor'
  | 'SparseTensor'
  | 'ValueInfo'
  | 'Type'
  | 'TensorType'
  | 'Shape'
  | 'Function'
  | 'TrainingInfo'
  | 'Opaque'

/** Message-typed fields of onnx.proto3 by field number, and the tensor payload fields ('payload'). */
const SCHEMA: Record<Msg, Record<number, Msg | 'payload'>> = {
  Model: { 7: 'Graph', 20: 'TrainingInfo', 25: 'Function', 8: 'Opaque', 14: 'Opaque' },
  TrainingInfo: { 1: 'Graph', 2: 'Graph', 3: 'Opaque', 4: 'Opaque' },
  Function: { 7: 'Node', 11: 'Attribute', 12: 'ValueInfo', 13: 'Opaque', 14: 'Opaque' },
  Graph: { 1: 'Node', 5: 'Tensor', 15: 'SparseTensor', 11: 'ValueInfo', 12: 'ValueInfo', 13: 'ValueInfo', 14: 'Opaque', 16: 'Opaque' },
  Node: { 5: 'Attribute', 9: 'Opaque' },
  Attribute: { 5: 'Tensor', 6: 'Graph', 10: 'Tensor', 11: 'Graph', 22: 'SparseTensor', 23: 'SparseTensor', 14: 'Type', 15: 'Type' },
  Tensor: { 4: 'payload', 5: 'payload', 6: 'payload', 7: 'payload', 9: 'payload', 10: 'payload', 11: 'payload', 3: 'Opaque', 13: 'Opaque', 16: 'Opaque' },
  SparseTensor: { 1: 'Tensor', 2: 'Tensor' },
  ValueInfo: { 2: 'Type', 4: 'Opaque' },
  // tensor_type, sequence_type, map_type, optional_type, sparse_tensor_type; Sequence/Map/Optional nest a Type.
  Type: { 1: 'TensorType', 4: 'Type', 5: 'Type', 8: 'TensorType', 9: 'Type' },
  TensorType: { 2: 'Shape' },
  Shape: { 1: 'Opaque' },
  // Small messages whose fields are all scalars or strings: walked for counting, copied as they are.
  Opaque: {},
}

/** Reads a file by position through a window, so skipped payloads are never read. */
class WindowReader {
  private buf = Buffer.alloc(1 << 20)
  private start = 0
  private end = 0
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  private fill(pos: number, want: number): void {
    if (want > this.buf.length) this.buf = Buffer.alloc(want)
    this.start = pos
    this.end = pos + fs.readSync(this.fd, this.buf, 0, Math.min(this.buf.length, this.size - pos), pos)
  }

  byte(pos: number): number {
    if (pos < this.start || pos >= this.end) this.fill(pos, 1)
    return this.buf[pos - this.start]!
  }

  /** Copies `len` bytes at `pos` into `out`. */
  copyTo(out: Output, pos: number, len: number): void {
    if (pos < this.start || pos + len > this.end) this.fill(pos, len)
    out.put(this.buf.subarray(pos - this.start, pos - this.start + len))
  }
}

/** A growing byte buffer: one allocation per doubling, none per field. */
class Output {
  buf = Buffer.alloc(1 << 16)
  length = 0

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n))
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }

  put(bytes: Uint8Array): void {
    this.reserve(bytes.length)
    this.buf.set(bytes, this.length)
    this.length += bytes.length
  }

  varint(n: number): void {
    this.reserve(10)
    while (n >= 0x80) {
      this.buf[this.length++] = (n % 0x80) | 0x80
      n = Math.floor(n / 0x80)
    }
    this.buf[this.length++] = n
  }

  /** Room for a length written later by `patchLength` (five bytes: a padded varint, valid protobuf). */
  lengthSlot(): number {
    this.reserve(5)
    this.length += 5
    return this.length - 5
  }

  patchLength(slot: number): void {
    let n = this.length - slot - 5
    for (let i = 0; i < 4; i++) {
      this.buf[slot + i] = (n % 0x80) | 0x80
      n = Math.floor(n / 0x80)
    }
    this.buf[slot + 4] = n
  }
}

export interface ModelScan {
  /** The ModelProto bytes without tensor payloads of PAYLOAD_KEPT_BYTES or more. */
  structure: Buffer
  nodes: number
  fields: number
  /** Payload bytes left out. */
  payloadBytes: number
}

/**
 * Walks an ONNX file's protobuf wire format without decoding it, checks it against `limits` and returns
 * its structure: the same ModelProto with large tensor payloads (inline weights) dropped, so decoding it
 * costs memory proportional to the graph, not the weights. Anything malformed or over a limit is a
 * BAD_INPUT error naming the file, found before any allocation in proportion to the file's claims.
 * Wire format: https://protobuf.dev/programming-guides/encoding/ ; field numbers: onnx/onnx.proto3.
 */
export function scanModelFile(file: string, limits: ScanLimits = DEFAULT_SCAN_LIMITS): ModelScan {
  let fd: number
  try {
    // Non-blocking, so that a FIFO is opened at once and refused by the check below instead of hanging.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  } catch (e) {
    throw badInput(file, `cannot read the model (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
  }
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile()) throw badInput(file, 'not a regular file')
    const r = new WindowReader(fd, st.size)
    const state = { nodes: 0, fields: 0, payloadBytes: 0 }
    const invalid = (what: string): Error => badInput(file, `not a valid ONNX model: ${what} (is the file complete?)`)
    const over = (what: string): Error => badInput(file, `refusing to decode the model: ${what}; no exporter writes such a model (crafted or corrupt file?)`)

    const varint = (pos: number, end: number): [number, number] => {
      let v = 0
      let mul = 1
      for (let i = 0; i < 10; i++) {
        if (pos >= end) throw invalid('truncated varint')
        const b = r.byte(pos++)
        v += (b & 0x7f) * mul
        if (b < 0x80) return [v, pos]
        mul *= 0x80
      }
      throw invalid('varint longer than 10 bytes')
    }

    const out = new Output()
    const walk = (type: Msg, start: number, end: number, depth: number): void => {
      if (depth > limits.maxDepth) throw over(`messages nested more than ${limits.maxDepth} deep`)
      let pos = start
      while (pos < end) {
        const fieldStart = pos
        let tag: number
        ;[tag, pos] = varint(pos, end)
        const field = Math.floor(tag / 8)
        const wire = tag % 8
        if (field === 0) throw invalid('field number 0')
        if (++state.fields > limits.maxFields) throw over(`more than ${limits.maxFields.toLocaleString('en-US')} fields in the graph`)
        if (wire === 0) {
          ;[, pos] = varint(pos, end)
        } else if (wire === 1 || wire === 5) {
          pos += wire === 1 ? 8 : 4
          if (pos > end) throw invalid('truncated fixed-width field')
        } else if (wire === 2) {
          let len: number
          ;[len, pos] = varint(pos, end)
          if (pos + len > end) throw invalid(`field ${field} runs past the end of its message`)
          const child = SCHEMA[type][field]
          if (child === 'payload') {
            if (len >= PAYLOAD_KEPT_BYTES) {
              state.payloadBytes += len
              pos += len
              continue
            }
            // A small packed payload decodes to up to one number a byte.
            state.fields += len
            if (state.fields > limits.maxFields) throw over(`more than ${limits.maxFields.toLocaleString('en-US')} fields in the graph`)
          } else if (child) {
            if (child === 'Node' && ++state.nodes > limits.maxNodes) throw over(`more than ${limits.maxNodes.toLocaleString('en-US')} nodes`)
            out.varint(tag)
            const slot = out.lengthSlot()
            walk(child, pos, pos + len, depth + 1)
            out.patchLength(slot)
            pos += len
            continue
          } else if (type === 'Attribute' && (field === 7 || field === 8)) {
            // Packed floats / ints of an attribute: one number per 4 bytes / per varint byte at most.
            state.fields += len
            if (state.fields > limits.maxFields) throw over(`more than ${limits.maxFields.toLocaleString('en-US')} fields in the graph`)
          }
          pos += len
        } else {
          throw invalid(`unsupported wire type ${wire}`)
        }
        if (out.length + pos - fieldStart > limits.maxStructureBytes) throw over(`graph structure larger than ${limits.maxStructureBytes / 2 ** 20} MiB without weights`)
        r.copyTo(out, fieldStart, pos - fieldStart)
      }
      if (pos !== end) throw invalid('a field runs past the end of its message')
    }

    walk('Model', 0, st.size, 0)
    const structure = out.buf.subarray(0, out.length)
    return { structure, nodes: state.nodes, fields: state.fields, payloadBytes: state.payloadBytes }
  } finally {
    fs.closeSync(fd)
  }
}
