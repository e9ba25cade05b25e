import fs from 'node:fs'
import { badInput } from '../../common/errors'
import { additionBytes, type GraphAddition } from './graphCopy'
import type { PrunePlan } from './prune'

/** GraphProto's repeated fields that a plan filters, by field number (onnx/onnx.proto3). */
const GRAPH_FIELDS: Record<number, keyof PrunePlan> = { 1: 'node', 5: 'initializer', 11: 'input', 12: 'output', 13: 'valueInfo', 15: 'sparseInitializer' }
/** ModelProto.graph. */
const MODEL_GRAPH = 7
const CHUNK = 1 << 20

interface Field {
  field: number
  wire: number
  /** Byte range of the whole field (tag included) and of a length-delimited field's payload. */
  start: number
  end: number
  body: number
}

function varintBytes(n: number): Buffer {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return Buffer.from(out)
}

/**
 * Writes `src` cut down by `plan` to `dest`, then `addition` (see graphCopy.ts): the graph's nodes,
 * inputs, outputs, initializers and value infos that the plan drops are left out, everything else is
 * copied byte for byte. Weights pass through a 1 MiB buffer, never whole through the heap; external
 * data stays where it is (the copy refers to it by the same relative locations).
 */
export function writePrunedCopy(src: string, dest: string, plan: PrunePlan, addition: GraphAddition = {}): void {
  const fd = fs.openSync(src, 'r')
  let out: number | null = null
  try {
    const size = fs.fstatSync(fd).size
    const win = Buffer.alloc(64 * 1024)
    let winStart = 0
    let winEnd = 0
    const byte = (pos: number): number => {
      if (pos < winStart || pos >= winEnd) {
        winStart = pos
        winEnd = pos + fs.readSync(fd, win, 0, Math.min(win.length, size - pos), pos)
      }
      return win[pos - winStart]!
    }
    const invalid = (): Error => badInput(src, 'not a valid ONNX model (a field runs past the end of its message)')
    const varint = (pos: number, end: number): [number, number] => {
      let v = 0
      let mul = 1
      for (let i = 0; i < 10 && pos < end; i++) {
        const b = byte(pos++)
        v += (b & 0x7f) * mul
        if (b < 0x80) return [v, pos]
        mul *= 0x80
      }
      throw invalid()
    }
    const fields = (start: number, end: number): Field[] => {
      const list: Field[] = []
      let pos = start
      while (pos < end) {
        const fieldStart = pos
        let tag: number
        ;[tag, pos] = varint(pos, end)
        const wire = tag % 8
        let body = pos
        if (wire === 0) [, pos] = varint(pos, end)
        else if (wire === 1) pos += 8
        else if (wire === 5) pos += 4
        else if (wire === 2) {
          let len: number
          ;[len, body] = varint(pos, end)
          pos = body + len
        } else throw invalid()
        if (pos > end) throw invalid()
        list.push({ field: Math.floor(tag / 8), wire, start: fieldStart, end: pos, body })
      }
      return list
    }

    out = fs.openSync(dest, 'w')
    const fdOut = out
    const chunk = Buffer.alloc(CHUNK)
    const copy = (start: number, end: number): void => {
      for (let pos = start; pos < end; ) {
        const n = fs.readSync(fd, chunk, 0, Math.min(CHUNK, end - pos), pos)
        if (n <= 0) throw invalid()
        fs.writeSync(fdOut, chunk, 0, n)
        pos += n
      }
    }
    // Positions count across repeated occurrences of the graph field, as C++ protobuf (onnxruntime) merges
    // them; exporters write one, and the plan comes from the user's file, never from an appended copy.
    const seen: Record<keyof PrunePlan, number> = { node: 0, input: 0, output: 0, initializer: 0, sparseInitializer: 0, valueInfo: 0 }
    for (const f of fields(0, size)) {
      if (f.field !== MODEL_GRAPH || f.wire !== 2) {
        copy(f.start, f.end)
        continue
      }
      const kept = fields(f.body, f.end).filter((e) => {
        const kind = GRAPH_FIELDS[e.field]
        return !kind || plan[kind].has(seen[kind]++)
      })
      fs.writeSync(fdOut, varintBytes(MODEL_GRAPH * 8 + 2))
      fs.writeSync(fdOut, varintBytes(kept.reduce((s, e) => s + e.end - e.start, 0)))
      for (const e of kept) copy(e.start, e.end)
    }
    fs.writeSync(fdOut, additionBytes(addition))
  } finally {
    fs.closeSync(fd)
    if (out !== null) fs.closeSync(out)
  }
}
