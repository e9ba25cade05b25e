import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import ExcelJS from 'exceljs'
import { afterAll, describe, expect, it } from 'vitest'
import { loadDataset } from '../../../src-main/core/data/dataset'
import { decodeImage } from '../../../src-main/core/data/image'
import { encodeNpy, readNpy, readNpyHeader } from '../../../src-main/core/data/npy'
import { pngInflatedBytes } from '../../../src-main/core/data/pngFast'
import { checkZipBounds } from '../../../src-main/core/data/zipBounds'
import { readTable } from '../../../src-main/core/eval/read/table'
import { readMixtureTable } from '../../../src-main/core/mix/readTable'
import { appendZipMembers, deeplyNested, pngWithIdat, rawDeflateZeros, sparseFile, zlibZeros } from '../../helpers/bombs'
import { SHAPES } from '../../helpers/fixtures'
import { expectBadInput } from '../../helpers/badInput'
import { tmpDir } from '../../helpers/tmp'

// Hostile and careless inputs, generated here (never committed): each must end in a BAD_INPUT error
// naming the file and the problem, or be read with a warning, with work bounded by what the file
// declares rather than by what it expands to.

const t = tmpDir('pl-bounds-')
afterAll(() => t.cleanup())

const write = (rel: string, content: string | Buffer): string => {
  const p = path.join(t.dir, rel)
  fs.mkdirSync(path.dirname(p), { recursive: true })
  fs.writeFileSync(p, content)
  return p
}


describe('captions: long ones cut with a warning, deep nesting and bad UTF-8 named by line', () => {
  it('cuts a 1 MB caption in captions.jsonl to 65,536 characters and names the item', () => {
    const cap = 'a red square. '.repeat(80_000)
    const dir = path.join(t.dir, 'long-caption')
    write('long-caption/captions.jsonl', `${JSON.stringify({ id: 'short', caption: 'a cat' })}\n${JSON.stringify({ id: 'long', caption: cap })}\n`)
    const d = loadDataset(dir)
    expect(d.items[0]!.caption).toBe('a cat')
    expect(d.items[1]!.caption).toBe(cap.slice(0, 65536))
    expect(d.warnings).toEqual([`${path.join(dir, 'captions.jsonl')}:2: item long: caption of ${cap.length} characters cut to its first 65536 characters`])
  })

  it('cuts a 20 MB line of a .txt dataset without decoding all of it', () => {
    const p = path.join(t.dir, 'huge.txt')
    fs.writeFileSync(p, `first\n${'é'.repeat(10 << 20)}\nlast\n`)
    const d = loadDataset(p)
    expect(d.items.map((i) => i.caption!.length)).toEqual([5, 65536, 4])
    expect(d.items[1]!.caption).toBe('é'.repeat(65536))
    expect(d.warnings).toEqual([`${p}:2: item 1: caption of ${20 << 20} bytes cut to its first 65536 characters`])
  })

  it('keeps a surrogate pair whole at the cut', () => {
    const p = write('emoji.txt', `${'x'.repeat(65535)}😀tail\n`)
    expect(loadDataset(p).items[0]!.caption).toBe('x'.repeat(65535))
  })

  it('refuses a manifest line over 16 MiB, naming the line', async () => {
    const p = write('huge-line.jsonl', `{"caption": "a"}\n{"caption": "${'b'.repeat(17 << 20)}"}\n`)
    await expectBadInput(() => loadDataset(p), /huge-line\.jsonl:2: the line is 17\.0 MiB long, more than the 16\.0 MiB a line may have/)
  })

  it('refuses 100,000 nested arrays in attributes with the file and line', async () => {
    const p = write('nested.jsonl', `{"caption": "ok"}\n{"caption": "x", "attributes": {"shape": ${deeplyNested(100_000)}}}\n`)
    await expectBadInput(() => loadDataset(p), /nested\.jsonl:2: JSON nested more than 1000 levels deep/)
  })

  it('warns about invalid UTF-8 in captions.jsonl and a CSV dataset, naming the line', () => {
    const jsonl = write('latin1.jsonl', Buffer.concat([Buffer.from('{"caption": "ok"}\n{"caption": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]))
    const d = loadDataset(jsonl)
    expect(d.items[1]!.caption).toBe('caf\uFFFD')
    expect(d.warnings).toEqual([`${jsonl}:2: invalid UTF-8 (the bad bytes were read as U+FFFD)`])
    const csv = write('latin1.csv', Buffer.concat([Buffer.from('id,caption\na,ok\nb,caf'), Buffer.from([0xe9]), Buffer.from('\n')]))
    expect(loadDataset(csv).warnings).toEqual([`${csv}:3: invalid UTF-8 (the bad bytes were read as U+FFFD)`])
  })
})

describe('.npy: headers checked against the file before any data is read', () => {
  it('reads the header of a 12 GiB sparse file without reading its data, and refuses a size mismatch', async () => {
    const p = path.join(t.dir, 'sparse.npy')
    const h = npyHead([12, 1 << 28])
    sparseFile(p, h, h.length + 12 * (1 << 28) * 4)
    expect(readNpyHeader(p)).toMatchObject({ dtype: 'f4', shape: [12, 1 << 28], dataStart: h.length, dataBytes: 12 * (1 << 28) * 4 })
    const short = path.join(t.dir, 'short.npy')
    sparseFile(short, h, h.length + 100)
    await expectBadInput(() => readNpy(short), /short\.npy: truncated data: shape \(12, 268435456\) needs 12884901888 bytes, file has 100/)
  })

  it('reads the data straight into the typed array (float32 and float64), also behind a long header', () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i - 5.5)
    const p = write('x.npy', encodeNpy(x, [3, 4]))
    expect(Array.from(readNpy(p).data)).toEqual(Array.from(x))
    // format 2.0 with an 8 KB header (past the first read) and float64 data
    const f8 = Float64Array.from([1.5, -2.25, 1e300])
    let dict = `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 1), ${' '.repeat(8000)}}`
    dict += ' '.repeat((64 - ((12 + dict.length + 1) % 64)) % 64) + '\n'
    const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0, 0, 0])
    pre.writeUInt32LE(dict.length, 8)
    const q = write('long-header.npy', Buffer.concat([pre, Buffer.from(dict, 'latin1'), Buffer.from(f8.buffer)]))
    const r = readNpy(q)
    expect([r.dtype, r.shape, Array.from(r.data)]).toEqual(['f8', [3, 1], [1.5, -2.25, 1e300]])
  })

  it('refuses a header claiming gigabytes of header', async () => {
    const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0, 0, 0])
    pre.writeUInt32LE(0x7fffffff, 8)
    const p = path.join(t.dir, 'huge-header.npy')
    sparseFile(p, pre, 0x7fffffff + 12)
    await expectBadInput(() => readNpyHeader(p), /huge-header\.npy: the \.npy header claims 2147483647 bytes/)
  })
})

function npyHead(shape: number[]): Buffer {
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n'
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0])
  pre.writeUInt16LE(dict.length, 8)
  return Buffer.concat([pre, Buffer.from(dict, 'latin1')])
}

describe('images: decompression bombs and absurd sizes', () => {
  it('knows how many bytes a header needs (PNG spec §7.2, §8.2)', () => {
    expect(pngInflatedBytes(32, 32, 8, 2, 0)).toBe(32 * (1 + 96))
    expect(pngInflatedBytes(3, 1, 1, 0, 0)).toBe(2) // 3 one-bit pixels fit one byte
    expect(pngInflatedBytes(16, 2, 16, 6, 0)).toBe(2 * (1 + 16 * 8))
    // Adam7 on 8×8: passes of 1×1, 1×1, 2×1, 2×2, 4×2, 4×4, 8×4 pixels (3 bytes each)
    const rows = [
      [1, 1],
      [1, 1],
      [2, 1],
      [2, 2],
      [4, 2],
      [4, 4],
      [8, 4],
    ]
    expect(pngInflatedBytes(8, 8, 8, 2, 1)).toBe(rows.reduce((s, [w, h]) => s + h! * (1 + 3 * w!), 0))
    expect(pngInflatedBytes(1, 1, 8, 2, 1)).toBe(4) // only the first pass has a pixel
    expect(pngInflatedBytes(1, 1, 8, 5, 0)).toBeNull()
  })

  it('refuses a 2 MB PNG declaring 32×32 whose data inflates to 2 GiB', async () => {
    const p = write('bomb.png', pngWithIdat(32, 32, zlibZeros(2048)))
    expect(fs.statSync(p).size).toBeLessThan(3 << 20)
    await expectBadInput(() => decodeImage(p), /bomb\.png: the PNG's image data inflates to more than the 3104 bytes its 32×32 header needs/)
  })

  it('refuses the same bomb interlaced (pngjs alone would inflate it whole)', async () => {
    const p = write('bomb-interlaced.png', pngWithIdat(32, 32, zlibZeros(256), 1))
    await expectBadInput(() => decodeImage(p), /bomb-interlaced\.png: the PNG's image data inflates to more than the \d+ bytes its 32×32 header/)
  })

  it('refuses a PNG declaring 100,000 × 100,000 pixels before inflating anything', async () => {
    const p = write('huge.png', pngWithIdat(100_000, 100_000, zlibZeros(1)))
    await expectBadInput(() => decodeImage(p), /huge\.png: the PNG header declares 100000×100000 pixels, more than 100 megapixels/)
  })

  it('still decodes an honest PNG built the same way (zero bytes: filter None, black pixels)', () => {
    const need = pngInflatedBytes(512, 512, 8, 2, 0)!
    const honest = write('honest.png', pngWithIdat(512, 512, zlib.deflateSync(Buffer.alloc(need))))
    const img = decodeImage(honest)
    expect([img.width, img.height, img.data.every((v) => v === 0)]).toEqual([512, 512, true])
  })

  it('refuses a JPEG whose frame header declares 20000×20000', async () => {
    const jpg = Buffer.from(fs.readFileSync(path.join(SHAPES, 'images', '000.jpg')))
    // Patch the SOF0/SOF2 frame size (height, width at offsets 5..8 of the segment).
    for (let i = 2; i + 9 < jpg.length; ) {
      const marker = jpg[i + 1]!
      if (marker === 0xc0 || marker === 0xc2) {
        jpg.writeUInt16BE(20000, i + 5)
        jpg.writeUInt16BE(20000, i + 7)
        break
      }
      i += 2 + jpg.readUInt16BE(i + 2)
    }
    const p = write('huge.jpg', jpg)
    await expectBadInput(() => decodeImage(p), /huge\.jpg: the JPEG header declares 20000×20000 pixels, more than 100 megapixels/)
  })
})

describe('.xlsx: ZIP bombs refused before exceljs inflates them', () => {
  async function workbook(): Promise<Buffer> {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('results')
    ws.addRow(['recipe', 'web %', 'code %', 'v_acc'])
    ws.addRow(['r1', 60, 40, 0.5])
    ws.addRow(['r2', 50, 50, 0.6])
    return Buffer.from(await wb.xlsx.writeBuffer())
  }

  it('reads the honest workbook, then refuses it with an unused 1 GiB member (1 MB on disk)', async () => {
    const good = await workbook()
    expect(() => checkZipBounds('good.xlsx', good)).not.toThrow()
    expect((await readMixtureTable(write('good.xlsx', good))).rows).toHaveLength(2)
    const bomb = write('bomb.xlsx', appendZipMembers(good, [{ name: 'xl/media/unused.bin', data: rawDeflateZeros(1024), declaredSize: 1 << 30 }]))
    expect(fs.statSync(bomb).size).toBeLessThan(2 << 20)
    const msg = /bomb\.xlsx: archive member "xl\/media\/unused\.bin" declares 1\.0 GiB uncompressed, more than the 256\.0 MiB a member may have/
    await expectBadInput(() => readMixtureTable(bomb), msg)
    await expectBadInput(() => readTable(bomb), msg)
  })

  it('refuses a member that declares 1 KB but inflates to 64 MiB, and one over the ratio', async () => {
    const good = await workbook()
    const liar = write('liar.xlsx', appendZipMembers(good, [{ name: 'xl/x.xml', data: rawDeflateZeros(64), declaredSize: 1000 }]))
    await expectBadInput(() => readTable(liar), /liar\.xlsx: archive member "xl\/x\.xml" inflates to more than the 1000 bytes it declares/)
    const ratio = write('ratio.xlsx', appendZipMembers(good, [{ name: 'xl/y.xml', data: rawDeflateZeros(1), declaredSize: 100 << 20 }]))
    await expectBadInput(() => readMixtureTable(ratio), /ratio\.xlsx: archive member "xl\/y\.xml" declares 100\.0 MiB from [\d.]+ KiB, a compression ratio over 200:1/)
  })

  it('refuses more members, or more in all, than a workbook may have', async () => {
    const good = await workbook()
    const many = appendZipMembers(
      good,
      Array.from({ length: 10_001 }, (_, i) => ({ name: `m${i}`, data: rawDeflateZeros(0), declaredSize: 0 })),
    )
    await expectBadInput(() => checkZipBounds('many.xlsx', many), /many\.xlsx: holds 10\d\d\d archive members, more than the 10000/)
    const big = appendZipMembers(
      good,
      // Not valid deflate, but over 1/200 of the declared size: only the total can refuse these.
      Array.from({ length: 3 }, (_, i) => ({ name: `big${i}`, data: crypto.randomBytes(1100 << 10), declaredSize: 200 << 20 })),
    )
    await expectBadInput(() => checkZipBounds('big.xlsx', big), /big\.xlsx: its members declare more than 512\.0 MiB uncompressed in all/)
  })
})
