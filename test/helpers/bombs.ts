import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import zlib from 'node:zlib'

// Hostile inputs made at test time (never committed): decompression bombs, ZIP members that lie,
// FIFOs. Bombs are built from one compressed block repeated, so a stream that inflates to gigabytes
// costs a few milliseconds and a few MB to make.

/** One MiB of zeros as raw deflate, ending on a full flush: byte-aligned, no back-references across it. */
const ZERO_MIB_BLOCK = zlib.deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH })
/** The final empty stored block that closes a raw deflate stream. */
const FINAL_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff])

/** A raw deflate stream (as in ZIP members) that inflates to `mib` MiB of zeros. */
export function rawDeflateZeros(mib: number): Buffer {
  return Buffer.concat([...Array.from({ length: mib }, () => ZERO_MIB_BLOCK), FINAL_BLOCK])
}

/** A zlib stream (as in PNG IDAT) that inflates to `mib` MiB of zeros, with its correct Adler-32. */
export function zlibZeros(mib: number): Buffer {
  const n = mib * (1 << 20)
  // Adler-32 of n zero bytes: a stays 1, b adds a once per byte.
  const adler = Buffer.alloc(4)
  adler.writeUInt32BE((((n % 65521) << 16) | 1) >>> 0)
  return Buffer.concat([Buffer.from([0x78, 0xda]), rawDeflateZeros(mib), adler])
}

function crc32(buf: Buffer): number {
  let c = ~0
  for (const b of buf) {
    c ^= b
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1))
  }
  return ~c >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/**
 * A PNG whose header declares `width`×`height` 8-bit RGB (colour type 2; `interlace` 1 for Adam7) and
 * whose single IDAT is `idat` (e.g. `zlibZeros(2048)`: 2 GiB of zeros in ~2 MB).
 */
export function pngWithIdat(width: number, height: number, idat: Buffer, interlace = 0): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  ihdr[12] = interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))])
}

export interface ZipMember {
  name: string
  /** Raw deflate data (method 8). */
  data: Buffer
  /** Uncompressed size written in the headers (may lie). */
  declaredSize: number
}

/**
 * `zip` (a whole archive, e.g. an exceljs workbook) with `extra` members appended: the existing local
 * entries are kept byte for byte, the new ones follow them, then the old central directory plus the
 * new entries and a new end record. CRCs of the new members are left 0: every reader under test must
 * refuse them before a CRC is checked.
 */
export function appendZipMembers(zip: Buffer, extra: ZipMember[]): Buffer {
  let eocd = -1
  for (let i = zip.length - 22; i >= 0; i--)
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  if (eocd < 0) throw new Error('appendZipMembers: not a ZIP archive')
  const entries = zip.readUInt16LE(eocd + 10)
  const cdSize = zip.readUInt32LE(eocd + 12)
  const cdOffset = zip.readUInt32LE(eocd + 16)
  const locals: Buffer[] = [zip.subarray(0, cdOffset)]
  const centrals: Buffer[] = [zip.subarray(cdOffset, cdOffset + cdSize)]
  let offset = cdOffset
  for (const m of extra) {
    const name = Buffer.from(m.name, 'utf8')
    const lh = Buffer.alloc(30)
    lh.writeUInt32LE(0x04034b50, 0)
    lh.writeUInt16LE(20, 4)
    lh.writeUInt16LE(8, 8)
    lh.writeUInt32LE(m.data.length, 18)
    lh.writeUInt32LE(m.declaredSize, 22)
    lh.writeUInt16LE(name.length, 26)
    const ch = Buffer.alloc(46)
    ch.writeUInt32LE(0x02014b50, 0)
    ch.writeUInt16LE(20, 4)
    ch.writeUInt16LE(20, 6)
    ch.writeUInt16LE(8, 10)
    ch.writeUInt32LE(m.data.length, 20)
    ch.writeUInt32LE(m.declaredSize, 24)
    ch.writeUInt16LE(name.length, 28)
    ch.writeUInt32LE(offset, 42)
    locals.push(lh, name, m.data)
    centrals.push(ch, name)
    offset += 30 + name.length + m.data.length
  }
  const central = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries + extra.length, 8)
  end.writeUInt16LE(entries + extra.length, 10)
  end.writeUInt32LE(central.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, central, end])
}

/** Makes a FIFO at `p`; false where mkfifo is unavailable (Windows). */
export function mkfifo(p: string): boolean {
  if (process.platform === 'win32') return false
  try {
    execFileSync('mkfifo', [p])
    return true
  } catch {
    return false
  }
}

/** Writes `n` nested JSON arrays (`[[[...]]]`), the shape that overflows recursive JSON code. */
export function deeplyNested(n: number): string {
  return '['.repeat(n) + ']'.repeat(n)
}

/** A sparse file of `bytes` bytes that starts with `head` (no disk blocks for the rest). */
export function sparseFile(p: string, head: Buffer, bytes: number): void {
  fs.writeFileSync(p, head)
  fs.truncateSync(p, bytes)
}
