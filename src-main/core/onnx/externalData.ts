import fs from 'node:fs'
import path from 'node:path'
import type onnxProto from 'onnx-proto'
import { badInput } from '../../common/errors'

type Tensor = onnxProto.onnx.ITensorProto
type Graph = onnxProto.onnx.IGraphProto

/** Bytes per element of the ONNX element types external data can hold (4-bit types: half a byte). */
const ELEM_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2, 17: 1, 18: 1, 19: 1, 20: 1, 21: 0.5, 22: 0.5 }

/** One initializer stored outside the graph file, as its `external_data` entries say. */
export interface ExternalRef {
  tensor: string
  location: string
  offset: number
  /** Declared length, else the size its type and dims imply (null when unknown). */
  length: number | null
}

function tensorsOf(g: Graph | null | undefined, out: Tensor[]): void {
  if (!g) return
  for (const t of g.initializer ?? []) out.push(t)
  for (const s of g.sparseInitializer ?? []) for (const t of [s.values, s.indices]) if (t) out.push(t)
  for (const n of g.node ?? [])
    for (const a of n.attribute ?? []) {
      if (a.t) out.push(a.t)
      for (const t of a.tensors ?? []) out.push(t)
      tensorsOf(a.g, out)
      for (const sg of a.graphs ?? []) tensorsOf(sg, out)
    }
}

/** Every external-data reference of a model's graph, subgraphs and constants included. */
export function externalRefs(graph: Graph): ExternalRef[] {
  const tensors: Tensor[] = []
  tensorsOf(graph, tensors)
  const refs: ExternalRef[] = []
  for (const t of tensors) {
    if (t.dataLocation !== 1) continue
    const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']))
    const elems = (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1)
    const implied = ELEM_BYTES[t.dataType ?? 0] !== undefined ? Math.ceil(elems * ELEM_BYTES[t.dataType ?? 0]!) : null
    refs.push({
      tensor: t.name ?? '',
      location: kv.get('location') ?? '',
      offset: kv.has('offset') ? Number(kv.get('offset')) : 0,
      length: kv.has('length') ? Number(kv.get('length')) : implied,
    })
  }
  return refs
}

/**
 * Checks where a model's external data lives before anything reads or hashes it: each location must
 * be a relative path that stays inside the graph file's folder once `..` and symbolic links are
 * resolved, name a regular file, and hold the bytes its tensors claim. onnxruntime refuses escaping
 * locations too, but only after the app would have hashed the file (any file the process can read).
 * Returns the absolute paths of the data files, in first-use order.
 */
export function checkExternalData(file: string, refs: ExternalRef[]): string[] {
  const dir = path.dirname(file)
  let realDir: string
  try {
    realDir = fs.realpathSync(dir)
  } catch {
    throw badInput(file, 'cannot resolve the folder of the graph')
  }
  const sizes = new Map<string, number>()
  const files: string[] = []
  for (const r of refs) {
    const where = `external data of ${JSON.stringify(r.tensor)}`
    const loc = r.location
    if (!loc) throw badInput(file, `${where} has no location`)
    if (loc.includes('\0') || path.isAbsolute(loc) || path.win32.isAbsolute(loc) || /^[A-Za-z]:/.test(loc)) throw badInput(file, `${where}: location ${JSON.stringify(loc)} is absolute; external data must lie in the model's folder`)
    const abs = path.resolve(dir, loc)
    const rel = path.relative(dir, abs)
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) throw badInput(file, `${where}: location ${JSON.stringify(loc)} leaves the model's folder`)
    if (!Number.isSafeInteger(r.offset) || r.offset < 0 || (r.length !== null && (!Number.isSafeInteger(r.length) || r.length < 0))) throw badInput(file, `${where}: invalid offset or length`)
    let size = sizes.get(abs)
    if (size === undefined) {
      let real: string
      try {
        real = fs.realpathSync(abs)
      } catch {
        throw badInput(file, `external data file ${loc} is missing next to the graph`)
      }
      const realRel = path.relative(realDir, real)
      if (!realRel || realRel.startsWith('..') || path.isAbsolute(realRel)) throw badInput(file, `${where}: ${loc} is a link to a file outside the model's folder`)
      const st = fs.statSync(real)
      if (!st.isFile()) throw badInput(file, `${where}: ${loc} is not a regular file`)
      size = st.size
      sizes.set(abs, size)
      files.push(abs)
    }
    if (r.length !== null && r.offset + r.length > size) throw badInput(file, `${where}: needs bytes ${r.offset}..${r.offset + r.length} of ${loc}, which has ${size}`)
  }
  return files
}
