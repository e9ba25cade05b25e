import { isUtf8 } from 'node:buffer'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { badInput, isAppError } from '../../common/errors'
import type { Workspace } from '../store/workspace'
import { cachedHashesUnder, fileSha256 } from '../store/fileHash'
import { cutCaption, MAX_CAPTION_CHARS } from './captionLimit'
import { parseDelimited } from './csv'
import { checkJsonDepth, readUserLines, readUserTextChecked, streamUserLines, Utf8Warnings } from './userText'

export type DatasetFormat = 'captions-folder' | 'jsonl' | 'csv' | 'txt' | 'image-folder'

/** One paired item. `image` is an absolute path, checked to lie inside the dataset folder. */
export interface DatasetItem {
  id: string
  image?: string
  caption?: string
  attributes?: Record<string, string>
  /** Every other field of the source line, kept for the views (geometry, image_jpeg, ...). */
  extra?: Record<string, unknown>
}

export interface Dataset {
  /** Absolute path of what the user gave (folder or file). */
  path: string
  /** Folder image paths are resolved against and confined to. */
  root: string
  format: DatasetFormat
  items: DatasetItem[]
  n: number
  hasImages: boolean
  hasText: boolean
  /** SHA-256 over the manifest (ids, captions, image paths) and the bytes of every referenced image. */
  sha256: string
  /** Bytes of the manifest plus referenced images. */
  bytes: number
  /** What was read differently from the file: captions cut to `MAX_CAPTION_CHARS`, lines with invalid UTF-8. */
  warnings: string[]
}

/** Longest line of a `.jsonl` manifest: longer is refused, counted but never kept or decoded (a caption that long would be cut anyway). */
export const MAX_MANIFEST_LINE_BYTES = 16 << 20

/** Cut captions listed one by one per dataset; the rest are counted. */
const MAX_CUT_WARNINGS = 10

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg'])

/**
 * Loads a dataset in any of the CLI.md forms: a folder with captions.jsonl, a .jsonl or .csv file with
 * id/image/caption fields, a .txt with one caption per line, or a folder of images. Image references that
 * leave the dataset folder (`..`, absolute paths, symlinks resolving outside) are refused before any read.
 * `ws` caches image hashes by path/size/mtime so re-loading a large dataset does not re-read it.
 * `onItems` sees the parsed items before the images are checked and hashed (the slow part), so a
 * caller can start work that needs only the list.
 */
export function loadDataset(p: string, ws: Workspace | null = null, onItems?: (items: readonly DatasetItem[]) => void): Dataset {
  const abs = path.resolve(p)
  let st: fs.Stats
  try {
    st = fs.statSync(abs)
  } catch {
    throw badInput(abs, 'dataset not found')
  }
  let format: DatasetFormat
  let root: string
  let items: DatasetItem[]
  let manifestFile: string | null = null
  const notes = new Notes()
  if (st.isDirectory()) {
    root = abs
    const captions = path.join(abs, 'captions.jsonl')
    if (fs.existsSync(captions)) {
      format = 'captions-folder'
      manifestFile = captions
      items = parseJsonl(captions, root, notes)
    } else {
      format = 'image-folder'
      items = listImageFolder(abs)
    }
  } else {
    root = path.dirname(abs)
    manifestFile = abs
    const ext = path.extname(abs).toLowerCase()
    if (ext === '.jsonl') {
      format = 'jsonl'
      items = parseJsonl(abs, root, notes)
    } else if (ext === '.csv') {
      format = 'csv'
      items = parseCsvDataset(abs, root, notes)
    } else if (ext === '.txt') {
      format = 'txt'
      items = parseTxt(abs, notes)
    } else {
      throw badInput(abs, `unknown dataset format "${ext || 'no extension'}" (expected a folder, .jsonl, .csv or .txt)`)
    }
  }
  if (items.length === 0) throw badInput(manifestFile ?? abs, 'the dataset is empty')
  checkUniqueIds(manifestFile ?? abs, items)
  onItems?.(items)
  const realRoot = fs.realpathSync(root)
  const realDirs = new Map<string, string>()
  const stats = new Map<DatasetItem, fs.Stats>()
  for (const it of items) if (it.image) stats.set(it, checkImageFile(manifestFile ?? abs, it, realRoot, realDirs))
  const { sha256, bytes } = contentHash(ws, format, items, root, stats)
  return {
    path: abs,
    root,
    format,
    items,
    n: items.length,
    hasImages: items.every((i) => i.image !== undefined),
    hasText: items.every((i) => typeof i.caption === 'string'),
    sha256,
    bytes,
    warnings: notes.messages(),
  }
}

/** Warnings gathered while a dataset is parsed. */
class Notes {
  readonly other: string[] = []
  readonly cuts: string[] = []
  add(w: string): void {
    this.other.push(w)
  }
  /** Cuts a caption longer than `MAX_CAPTION_CHARS`, noting which item it was. */
  caption(where: string, id: string, caption: string): string {
    return caption.length <= MAX_CAPTION_CHARS ? caption : this.cut(where, id, caption, `${caption.length} characters`)
  }
  /** Notes and cuts a caption known to be too long (`size` says how long, in words). */
  cut(where: string, id: string, caption: string, size: string): string {
    this.cuts.push(`${where}: item ${id}: caption of ${size} cut to its first ${MAX_CAPTION_CHARS} characters`)
    return cutCaption(caption)
  }
  messages(): string[] {
    const shown = this.cuts.slice(0, MAX_CUT_WARNINGS)
    if (this.cuts.length > shown.length) shown.push(`${this.cuts.length - shown.length} more captions cut to ${MAX_CAPTION_CHARS} characters`)
    return [...this.other, ...shown]
  }
}


/** Resolves a relative image reference, refusing anything that could name a file outside `root`. */
function resolveImage(where: string, root: string, ref: unknown): string {
  if (typeof ref !== 'string' || ref === '') throw badInput(where, 'image must be a non-empty relative path')
  if (path.isAbsolute(ref) || path.win32.isAbsolute(ref) || ref.includes('\0')) throw badInput(where, `image path ${JSON.stringify(ref)} is absolute; use a path relative to the dataset folder`)
  const parts = ref.split(/[\\/]+/)
  if (parts.includes('..')) throw badInput(where, `image path ${JSON.stringify(ref)} leaves the dataset folder`)
  const full = path.resolve(root, ref)
  const rel = path.relative(root, full)
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw badInput(where, `image path ${JSON.stringify(ref)} leaves the dataset folder`)
  return full
}

/** Existence, regular file, and symlink confinement: the real path must stay under the real root. */
/**
 * Refuses an image that is missing, not a file, or (through a link) outside the dataset folder, and
 * returns its stats for hashing. Only links are resolved one by one; a plain file's real path is its
 * folder's (resolved once per folder) plus its name: one lstat an item instead of a realpath walk and
 * a stat. With the cached hashes fetched in one query (`contentHash`), this is most of the cost of
 * loading an already-hashed dataset again.
 */
function checkImageFile(where: string, it: DatasetItem, realRoot: string, realDirs: Map<string, string>): fs.Stats {
  const img = it.image!
  let st: fs.Stats
  let real: string
  try {
    st = fs.lstatSync(img)
    if (st.isSymbolicLink()) {
      real = fs.realpathSync(img)
      st = fs.statSync(real)
    } else {
      const dir = path.dirname(img)
      let rd = realDirs.get(dir)
      if (rd === undefined) realDirs.set(dir, (rd = fs.realpathSync(dir)))
      real = path.join(rd, path.basename(img))
    }
  } catch {
    throw badInput(where, `item ${it.id}: image ${img} not found`)
  }
  const rel = path.relative(realRoot, real)
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw badInput(where, `item ${it.id}: image ${img} is a link that points outside the dataset folder`)
  if (!st.isFile()) throw badInput(where, `item ${it.id}: image ${img} is not a file`)
  return st
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined
}

function readText(file: string, notes: Notes): string {
  const { text, warnings } = readUserTextChecked(file, { what: 'a dataset file' })
  for (const w of warnings) notes.add(w)
  return text
}

function parseJsonl(file: string, root: string, notes: Notes): DatasetItem[] {
  const { lines, warnings } = readUserLines(file, { what: 'a dataset file', maxLineBytes: MAX_MANIFEST_LINE_BYTES })
  for (const w of warnings) notes.add(w)
  const items: DatasetItem[] = []
  for (const { text: line, line: n } of lines) {
    const where = `${file}:${n}`
    checkJsonDepth(where, line)
    let o: unknown
    try {
      o = JSON.parse(line)
    } catch (e) {
      throw badInput(where, `malformed JSON line (${e instanceof Error ? e.message : String(e)})`)
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw badInput(where, 'each line must be a JSON object')
    items.push(itemFromRecord(where, o as Record<string, unknown>, root, items.length, notes))
  }
  return items
}

function itemFromRecord(where: string, o: Record<string, unknown>, root: string, index: number, notes: Notes): DatasetItem {
  const { id, image, caption, text, attributes, ...rest } = o
  const it: DatasetItem = { id: str(id) ?? String(index) }
  if (image !== undefined && image !== null && image !== '') it.image = resolveImage(where, root, image)
  const cap = caption ?? text
  if (cap !== undefined && cap !== null) {
    if (typeof cap !== 'string') throw badInput(where, 'caption must be a string')
    it.caption = notes.caption(where, it.id, cap)
  }
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== 'object' || Array.isArray(attributes)) throw badInput(where, 'attributes must be an object')
    it.attributes = Object.fromEntries(Object.entries(attributes as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
  }
  if (Object.keys(rest).length) it.extra = rest
  if (it.image === undefined && it.caption === undefined) throw badInput(where, 'item has neither an image nor a caption')
  return it
}

/** CSV records with the 1-based line each starts on (the shared RFC 4180 reader, comma-separated). */
export function parseCsv(text: string, where = 'CSV'): { row: string[]; line: number }[] {
  const { rows, lines } = parseDelimited(text, where, ',')
  return rows.map((row, i) => ({ row, line: lines[i]! }))
}

function parseCsvDataset(file: string, root: string, notes: Notes): DatasetItem[] {
  let rows: { row: string[]; line: number }[]
  try {
    rows = parseCsv(readText(file, notes), file)
  } catch (e) {
    if (isAppError(e)) throw e // already names the file; wrapping it again would print the path twice
    throw badInput(file, e instanceof Error ? e.message : String(e))
  }
  if (rows.length === 0) throw badInput(file, 'the dataset is empty')
  const header = rows[0]!.row.map((h) => h.trim())
  if (!header.includes('caption') && !header.includes('image') && !header.includes('text')) throw badInput(file, 'the header must name an image and/or caption column')
  return rows.slice(1).map(({ row, line }, i) => {
    const where = `${file}:${line}`
    if (row.length !== header.length) throw badInput(where, `expected ${header.length} fields, got ${row.length}`)
    const rec: Record<string, unknown> = {}
    header.forEach((h, j) => {
      if (row[j] !== '' || h === 'caption') rec[h] = row[j]
    })
    return itemFromRecord(where, rec, root, i, notes)
  })
}

/**
 * One caption a line. A line is kept and decoded only as far as a kept caption needs (4 bytes a code
 * unit covers any UTF-8), read in chunks: a single 500 MB line costs its first 256 KiB, not the whole line.
 */
function parseTxt(file: string, notes: Notes): DatasetItem[] {
  const bad = new Utf8Warnings(file)
  const items: DatasetItem[] = []
  const keepBytes = 4 * MAX_CAPTION_CHARS
  streamUserLines(file, { what: 'a dataset file', keepBytes }, (bytes, line, length) => {
    const id = String(items.length)
    const where = `${file}:${line}`
    const long = length > keepBytes
    if (!isUtf8(long ? bytes.subarray(0, lastCharStart(bytes)) : bytes)) bad.add(line)
    const text = bytes.toString('utf8')
    items.push({ id, caption: long ? notes.cut(where, id, text, `${length} bytes`) : notes.caption(where, id, text) })
  })
  for (const w of bad.messages()) notes.add(w)
  return items
}

/** Where the last (possibly cut) UTF-8 sequence of `b` starts. */
function lastCharStart(b: Uint8Array): number {
  let i = b.length - 1
  while (i > 0 && (b[i]! & 0xc0) === 0x80) i--
  return i
}

function listImageFolder(dir: string): DatasetItem[] {
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => (d.isFile() || d.isSymbolicLink()) && IMAGE_EXT.has(path.extname(d.name).toLowerCase()))
    .map((d) => d.name)
    .sort()
  const seen = new Map<string, string>()
  return files.map((f) => {
    const id = path.basename(f, path.extname(f))
    // 000.png and 000.jpg in one folder would silently collide on id; keep the file name instead.
    const uid = seen.has(id) ? f : id
    seen.set(id, f)
    return { id: uid, image: path.join(dir, f) }
  })
}

function checkUniqueIds(where: string, items: DatasetItem[]): void {
  const seen = new Set<string>()
  for (const it of items) {
    if (seen.has(it.id)) throw badInput(where, `duplicate id ${JSON.stringify(it.id)}`)
    seen.add(it.id)
  }
}

/**
 * Content hash: SHA-256 of a canonical manifest (format, then per item id, caption, image path relative
 * to the root and that image's SHA-256). Independent of where the folder lives, so a moved copy of
 * the same data hits the same cache; any changed caption, order or pixel changes it.
 */
function contentHash(ws: Workspace | null, format: DatasetFormat, items: DatasetItem[], root: string, stats: Map<DatasetItem, fs.Stats>): { sha256: string; bytes: number } {
  const h = crypto.createHash('sha256')
  h.update(`platonic-lab dataset v1\n${format}\n`)
  // Hashes already cached for this folder, fetched at once rather than by a query per image.
  const known = ws ? cachedHashesUnder(ws, root) : new Map<string, { bytes: number; mtimeMs: number; sha256: string }>()
  let bytes = 0
  for (const it of items) {
    let img = ''
    if (it.image) {
      const st = stats.get(it)!
      const c = known.get(path.resolve(it.image))
      const r = c && c.bytes === st.size && c.mtimeMs === st.mtimeMs ? c : fileSha256(ws, it.image, st)
      bytes += r.bytes
      img = `${path.relative(root, it.image).split(path.sep).join('/')}\0${r.sha256}`
    }
    const line = JSON.stringify([it.id, it.caption ?? null, img])
    bytes += Buffer.byteLength(line)
    h.update(line)
    h.update('\n')
  }
  return { sha256: h.digest('hex'), bytes }
}
