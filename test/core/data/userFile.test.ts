import fs from 'node:fs'
import fc from 'fast-check'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readUserFile, readUserText, statUserFile } from '../../../src-main/core/data/userFile'
import { checkJsonDepth, forEachLine, readUserLines, streamUserLines, utf8Warnings } from '../../../src-main/core/data/userText'
import { deeplyNested, mkfifo } from '../../helpers/bombs'
import { expectBadInput } from '../../helpers/badInput'
import { tmpDir } from '../../helpers/tmp'

const t = tmpDir('pl-userfile-')
afterAll(() => t.cleanup())

const file = (name: string, content: string | Buffer): string => {
  const p = path.join(t.dir, name)
  fs.writeFileSync(p, content)
  return p
}


describe('readUserFile: regular files only, never blocking', () => {
  it('reads a regular file and a link to one', () => {
    const p = file('a.txt', '\uFEFFhello')
    fs.symlinkSync(p, path.join(t.dir, 'link.txt'))
    expect(readUserFile(p).toString()).toBe('\uFEFFhello')
    expect(readUserText(path.join(t.dir, 'link.txt'))).toBe('hello')
  })

  it('refuses a FIFO at once (opening it for reading would wait for a writer forever)', async () => {
    const fifo = path.join(t.dir, 'pipe.jsonl')
    if (!mkfifo(fifo)) return console.warn('skipped: mkfifo is not available here')
    await expectBadInput(() => readUserFile(fifo, { what: 'an evaluation file' }), /pipe\.jsonl: is a named pipe \(FIFO\), not an evaluation file/)
    await expectBadInput(() => readUserLines(fifo, { maxLineBytes: 100 }), /pipe\.jsonl: is a named pipe \(FIFO\)/)
    fs.symlinkSync(fifo, path.join(t.dir, 'link-to-pipe.csv'))
    await expectBadInput(() => readUserFile(path.join(t.dir, 'link-to-pipe.csv')), /link-to-pipe\.csv: is a named pipe/)
  })

  it('refuses a device, a folder and a missing file, naming each', async () => {
    if (fs.existsSync('/dev/zero')) await expectBadInput(() => readUserFile('/dev/zero'), /\/dev\/zero: is a device, not a file/)
    await expectBadInput(() => readUserFile(t.dir, { what: 'a table file' }), /is a folder, not a table file/)
    await expectBadInput(() => statUserFile(path.join(t.dir, 'nope.csv')), /nope\.csv: file not found/)
  })

  it('refuses a file over maxBytes before reading it', async () => {
    const p = file('big.bin', Buffer.alloc(3000))
    await expectBadInput(() => readUserFile(p, { maxBytes: 2048 }), /big\.bin: is 2\.9 KiB, more than the 2\.0 KiB this file may have/)
    expect(readUserFile(p, { maxBytes: 3000 }).length).toBe(3000)
  })
})

describe('lines and UTF-8', () => {
  const lines = (s: string | Buffer): [string, number][] => {
    const buf = Buffer.from(s)
    const out: [string, number][] = []
    forEachLine(buf, (a, b, n) => out.push([buf.toString('utf8', a, b), n]))
    return out
  }

  it('splits LF and CRLF, drops a BOM, and counts lines like an editor', () => {
    expect(lines('\uFEFFa\r\nb\n\nc')).toEqual([
      ['a', 1],
      ['b', 2],
      ['', 3],
      ['c', 4],
    ])
    expect(lines('a\n')).toEqual([['a', 1]])
    expect(lines('')).toEqual([])
  })

  it('names each line with invalid UTF-8 and keeps the replacement character', () => {
    const p = file('bad.jsonl', Buffer.concat([Buffer.from('{"a": "ok"}\n{"a": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"a": "é"}\n')]))
    const r = readUserLines(p, { maxLineBytes: 1000 })
    expect(r.warnings).toEqual([`${p}:2: invalid UTF-8 (the bad bytes were read as U+FFFD)`])
    expect(JSON.parse(r.lines[1]!.text)).toEqual({ a: '\uFFFD\uFFFD' })
    expect(JSON.parse(r.lines[2]!.text)).toEqual({ a: 'é' })
    expect(utf8Warnings('x.csv', Buffer.from('a,b\nc,d\n'))).toEqual([])
  })

  it('lists ten bad lines and counts the rest', () => {
    const bad = Buffer.concat(Array.from({ length: 13 }, () => Buffer.from([0x61, 0xc3, 0x0a])))
    const w = utf8Warnings('f.txt', bad)
    expect(w).toHaveLength(11)
    expect(w[9]).toBe('f.txt:10: invalid UTF-8 (the bad bytes were read as U+FFFD)')
    expect(w[10]).toBe('f.txt: 3 more lines with invalid UTF-8')
  })

  it('refuses a line over the limit, naming it, before decoding it', async () => {
    const p = file('long.jsonl', `{"a": 1}\n{"a": "${'x'.repeat(5000)}"}\n`)
    await expectBadInput(() => readUserLines(p, { maxLineBytes: 4096 }), /long\.jsonl:2: the line is 4\.9 KiB long, more than the 4\.0 KiB a line may have/)
  })
})

describe('checkJsonDepth', () => {
  it('accepts what JSON.parse-then-recurse can handle and refuses deeper nesting', async () => {
    expect(() => checkJsonDepth('f', deeplyNested(1000))).not.toThrow()
    await expectBadInput(() => checkJsonDepth('f.jsonl:3', deeplyNested(1001)), /^f\.jsonl:3: JSON nested more than 1000 levels deep$/)
    await expectBadInput(() => checkJsonDepth('f', `{"a": ${deeplyNested(100_000)}}`), /nested more than 1000 levels/)
    // The hazard it prevents: V8 parses this, but recursing over the result overflows the stack.
    expect(() => JSON.stringify(JSON.parse(deeplyNested(100_000)))).toThrow(RangeError)
  })

  it('counts only structure, not brackets inside strings (escaped quotes included)', async () => {
    const inString = JSON.stringify({ s: '['.repeat(5000) + '\\"' + '{'.repeat(5000) })
    expect(() => checkJsonDepth('f', inString)).not.toThrow()
    await expectBadInput(() => checkJsonDepth('f', `["\\\\", ${deeplyNested(1000)}]`), /nested more than 1000/)
  })
})

describe('streamUserLines', () => {
  it('gives the lines forEachLine gives, whatever the chunk size (CR LF and the BOM across chunk edges)', () => {
    const piece = fc.constantFrom('a', 'bc', '\n', '\r\n', '\r', ' ', 'é', '\uFEFF')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 25 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), (parts, chunkBytes, bom) => {
        const buf = Buffer.from((bom ? '\uFEFF' : '') + parts.join(''))
        const p = file('stream.txt', buf)
        const want: [string, number][] = []
        forEachLine(buf, (a, b, n) => want.push([buf.toString('latin1', a, b), n]))
        const got: [string, number][] = []
        streamUserLines(p, { chunkBytes }, (bytes, n, length) => {
          expect(length).toBe(bytes.length)
          got.push([bytes.toString('latin1'), n])
        })
        expect(got).toEqual(want)
      }),
      { numRuns: 1500, seed: 11 },
    )
  })

  it('keeps only the first keepBytes of a long line but reports its full length', () => {
    const p = file('keep.txt', `short\n${'x'.repeat(10_000)}\r\nend`)
    const got: [string, number, number][] = []
    streamUserLines(p, { keepBytes: 8, chunkBytes: 64 }, (bytes, n, length) => got.push([bytes.toString(), n, length]))
    expect(got).toEqual([
      ['short', 1, 5],
      ['xxxxxxxx', 2, 10_000],
      ['end', 3, 3],
    ])
  })

  it('refuses a line over maxLineBytes with its full length, without keeping it', async () => {
    const p = file('over.txt', `ok\n${'y'.repeat(50_000)}\nok\n`)
    await expectBadInput(() => streamUserLines(p, { maxLineBytes: 1000, chunkBytes: 256 }, () => undefined), /over\.txt:2: the line is 48\.8 KiB long, more than the 1000 bytes a line may have/)
  })
})
