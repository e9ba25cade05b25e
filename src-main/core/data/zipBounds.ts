import zlib from 'node:zlib'
import { badInput } from '../../common/errors'
import { formatBytes } from './userFile'

/**
 * Bounds on a ZIP archive (an `.xlsx` workbook) checked before a ZIP library inflates it: a 1 MB
 * workbook holding an unused member that inflates to 1 GB cost 3.3 GB in exceljs. The central
 * directory is read by hand (APPNOTE.TXT §4.3.12, §4.3.16: end-of-central-directory record, then one
 * header per member) and every member's declared size is checked; then each member is inflated with
 * its declared size as the ceiling, so a member that lies about its size is caught at that size.
 */
export interface ZipLimits {
  maxEntries: number
  /** Largest declared uncompressed size of one member. */
  maxEntryBytes: number
  /** Largest sum of declared uncompressed sizes. */
  maxTotalBytes: number
  /** Largest uncompressed/compressed ratio of a member over 1 MiB (deflate cannot exceed ~1032). */
  maxRatio: number
}

/**
 * Limits for workbooks: real evaluation and mixture tables are a few MB uncompressed; Excel's own
 * sheet-size limits put even a full sheet far under 256 MiB of XML; XML compresses 10-30×.
 */
export const XLSX_LIMITS: ZipLimits = { maxEntries: 10_000, maxEntryBytes: 256 << 20, maxTotalBytes: 512 << 20, maxRatio: 200 }

const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

/**
 * Refuses an archive that breaks `limits` (`name` is used in every message). A buffer that is not a
 * ZIP at all, or whose structure is broken, passes: the ZIP library then says what is wrong with it.
 */
export function checkZipBounds(name: string, buf: Buffer, limits: ZipLimits = XLSX_LIMITS): void {
  const eocd = findEocd(buf)
  if (eocd < 0) return
  const entries = buf.readUInt16LE(eocd + 10)
  const cdSize = buf.readUInt32LE(eocd + 12)
  const cdOffset = buf.readUInt32LE(eocd + 16)
  if (entries === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw badInput(name, 'is a ZIP64 archive; a workbook this large is not supported')
  if (entries > limits.maxEntries) throw badInput(name, `holds ${entries} archive members, more than the ${limits.maxEntries} a workbook may have`)
  if (cdOffset + cdSize > buf.length) return
  let p = cdOffset
  let total = 0
  for (let k = 0; k < entries; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) return
    const method = buf.readUInt16LE(p + 10)
    const compressed = buf.readUInt32LE(p + 20)
    const size = buf.readUInt32LE(p + 24)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const member = buf.toString('utf8', p + 46, Math.min(buf.length, p + 46 + nameLen))
    const where = `archive member "${member.slice(0, 200)}"`
    if (size > limits.maxEntryBytes) throw badInput(name, `${where} declares ${formatBytes(size)} uncompressed, more than the ${formatBytes(limits.maxEntryBytes)} a member may have`)
    total += size
    if (total > limits.maxTotalBytes) throw badInput(name, `its members declare more than ${formatBytes(limits.maxTotalBytes)} uncompressed in all`)
    if (size > 1 << 20 && size > limits.maxRatio * Math.max(1, compressed)) {
      throw badInput(name, `${where} declares ${formatBytes(size)} from ${formatBytes(compressed)}, a compression ratio over ${limits.maxRatio}:1 (a ZIP bomb?)`)
    }
    checkInflatedSize(name, where, buf, local, method, compressed, size)
    p += 46 + nameLen + extraLen + commentLen
  }
}

/** Inflates a deflated member with its declared size as the ceiling; refuses it if it holds more. */
function checkInflatedSize(name: string, where: string, buf: Buffer, local: number, method: number, compressed: number, size: number): void {
  if (method !== 8 || local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) return
  const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
  if (start + compressed > buf.length) return
  try {
    zlib.inflateRawSync(buf.subarray(start, start + compressed), { maxOutputLength: Math.max(1, size) })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw badInput(name, `${where} inflates to more than the ${formatBytes(size)} it declares (a ZIP bomb?)`)
    }
    // A broken stream: the ZIP library reports it.
  }
}

/** Offset of the end-of-central-directory record (searched backwards over the comment), or -1. */
function findEocd(buf: Buffer): number {
  const stop = Math.max(0, buf.length - 22 - 0xffff)
  for (let i = buf.length - 22; i >= stop; i--) if (buf.readUInt32LE(i) === EOCD) return i
  return -1
}
