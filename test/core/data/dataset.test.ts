import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDataset, parseCsv } from '../../../src-main/core/data/dataset'
import { Workspace } from '../../../src-main/core/store/workspace'
import { SHAPES } from '../../helpers/fixtures'

let tmp: string
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-dataset-'))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

function folder(name: string, files: Record<string, string | Buffer>): string {
  const dir = path.join(tmp, name)
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    fs.writeFileSync(path.join(dir, rel), content)
  }
  return dir
}
const png = (id: string): Buffer => fs.readFileSync(path.join(SHAPES, 'images', `${id}.png`))

describe('loadDataset', () => {
  it('reads the shapes-256 captions folder', () => {
    const d = loadDataset(SHAPES)
    expect(d.format).toBe('captions-folder')
    expect(d.n).toBe(256)
    expect(d.hasImages && d.hasText).toBe(true)
    expect(d.items[0]!.id).toBe('000')
    expect(d.items[0]!.image).toBe(path.join(SHAPES, 'images', '000.png'))
    expect(d.items[0]!.attributes!.shape).toBe('circle')
    expect(d.items[0]!.extra!.jpeg_subsampling).toBe('4:2:0')
    expect(d.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('hashes content, not location: a copy hashes equal, a changed pixel or caption does not', () => {
    const lines = ['{"id":"a","image":"i/a.png","caption":"a red circle"}', '{"id":"b","image":"i/b.png","caption":"a blue star"}']
    const a = folder('hashA', { 'captions.jsonl': lines.join('\n'), 'i/a.png': png('000'), 'i/b.png': png('001') })
    const b = folder('hashB', { 'captions.jsonl': lines.join('\n'), 'i/a.png': png('000'), 'i/b.png': png('001') })
    const c = folder('hashC', { 'captions.jsonl': lines.join('\n'), 'i/a.png': png('000'), 'i/b.png': png('002') })
    const d = folder('hashD', { 'captions.jsonl': lines.join('\n').replace('blue', 'green'), 'i/a.png': png('000'), 'i/b.png': png('001') })
    const h = [a, b, c, d].map((p) => loadDataset(p).sha256)
    expect(h[0]).toBe(h[1])
    expect(h[2]).not.toBe(h[0])
    expect(h[3]).not.toBe(h[0])
  })

  it('reads .jsonl, .csv (quoted fields) and .txt files', () => {
    const dir = folder('files', { 'x.png': png('003') })
    fs.writeFileSync(path.join(dir, 'd.jsonl'), '{"id": 1, "image": "x.png", "caption": "hi"}\n\n')
    fs.writeFileSync(path.join(dir, 'd.csv'), 'id,image,caption\n1,x.png,"a ""quoted"", caption"\n2,,"two\nlines"\n')
    fs.writeFileSync(path.join(dir, 'd.txt'), 'first caption\nsecond caption\n')
    expect(loadDataset(path.join(dir, 'd.jsonl')).items[0]).toMatchObject({ id: '1', caption: 'hi', image: path.join(dir, 'x.png') })
    const csv = loadDataset(path.join(dir, 'd.csv'))
    expect(csv.items.map((i) => i.caption)).toEqual(['a "quoted", caption', 'two\nlines'])
    expect(csv.items[1]!.image).toBeUndefined()
    expect(csv.hasImages).toBe(false)
    const txt = loadDataset(path.join(dir, 'd.txt'))
    expect(txt.items).toEqual([{ id: '0', caption: 'first caption' }, { id: '1', caption: 'second caption' }])
  })

  it('reads a folder of images in name order', () => {
    const dir = folder('imgs', { 'b.png': png('001'), 'a.png': png('000'), 'notes.md': 'x' })
    const d = loadDataset(dir)
    expect(d.format).toBe('image-folder')
    expect(d.items.map((i) => i.id)).toEqual(['a', 'b'])
    expect(d.hasText).toBe(false)
  })

  it('refuses image paths that leave the dataset folder, before reading them', () => {
    const outside = path.join(tmp, 'secret.png')
    fs.writeFileSync(outside, png('000'))
    for (const ref of ['../secret.png', 'sub/../../secret.png', outside]) {
      const dir = folder(`esc${Math.random().toString(36).slice(2)}`, { 'captions.jsonl': JSON.stringify({ id: 'x', image: ref, caption: 'c' }) })
      expect(() => loadDataset(dir)).toThrow(/captions\.jsonl:1: image path .*(leaves the dataset folder|is absolute)/)
    }
  })

  it('refuses a symlink that points outside the dataset folder', () => {
    const outside = path.join(tmp, 'secret2.png')
    fs.writeFileSync(outside, png('000'))
    const dir = folder('link', { 'captions.jsonl': JSON.stringify({ id: 'x', image: 'l.png', caption: 'c' }) })
    fs.symlinkSync(outside, path.join(dir, 'l.png'))
    expect(() => loadDataset(dir)).toThrow(/item x: image .*l\.png is a link that points outside the dataset folder/)
    const imgDir = folder('linkfolder', { 'a.png': png('000') })
    fs.symlinkSync(outside, path.join(imgDir, 'b.png'))
    expect(() => loadDataset(imgDir)).toThrow(/points outside/)
  })

  it('refuses a linked sub-folder that leads outside, and accepts links that stay inside', () => {
    const outsideDir = folder('elsewhere', { 'e.png': png('003') })
    const esc = folder('subfolderlink', { 'captions.jsonl': JSON.stringify({ id: 'x', image: 'imgs/e.png', caption: 'c' }) })
    fs.symlinkSync(outsideDir, path.join(esc, 'imgs'))
    expect(() => loadDataset(esc)).toThrow(/item x: image .*e\.png is a link that points outside the dataset folder/)
    const lines = ['{"id":"a","image":"real/a.png","caption":"c"}', '{"id":"b","image":"alias/a.png","caption":"c"}', '{"id":"c","image":"l.png","caption":"c"}']
    const ok = folder('insidelinks', { 'captions.jsonl': lines.join('\n'), 'real/a.png': png('004') })
    fs.symlinkSync(path.join(ok, 'real'), path.join(ok, 'alias'))
    fs.symlinkSync(path.join(ok, 'real', 'a.png'), path.join(ok, 'l.png'))
    expect(loadDataset(ok).n).toBe(3)
  })

  it('with a workspace, reuses cached image hashes only while size and mtime match', () => {
    const ws = Workspace.open(path.join(tmp, 'ws-hash'))
    try {
      const lines = ['{"id":"a","image":"i/a.png","caption":"c"}', '{"id":"b","image":"i/b.png","caption":"d"}']
      const dir = folder('cachedHash', { 'captions.jsonl': lines.join('\n'), 'i/a.png': png('000'), 'i/b.png': png('001') })
      const first = loadDataset(dir, ws).sha256
      // Same hash as without a cache, and again from the cache.
      expect(loadDataset(dir).sha256).toBe(first)
      expect(loadDataset(dir, ws).sha256).toBe(first)
      // Replace b.png with another image: its cached hash must not be used.
      fs.writeFileSync(path.join(dir, 'i', 'b.png'), png('002'))
      fs.utimesSync(path.join(dir, 'i', 'b.png'), new Date(), new Date(Date.now() + 5000))
      const changed = loadDataset(dir, ws).sha256
      expect(changed).not.toBe(first)
      expect(changed).toBe(loadDataset(dir).sha256)
      // A cached row for a sibling folder whose name extends this one's is not picked up as under it.
      const sibling = folder('cachedHash2', { 'captions.jsonl': lines.join('\n'), 'i/a.png': png('000'), 'i/b.png': png('005') })
      expect(loadDataset(sibling, ws).sha256).toBe(loadDataset(sibling).sha256)
    } finally {
      ws.close()
    }
  })

  it('names the problem: missing image, malformed line, duplicate id, empty, unknown format', () => {
    expect(() => loadDataset(folder('missing', { 'captions.jsonl': '{"id":"a","image":"nope.png","caption":"c"}' }))).toThrow(/item a: image .*nope\.png not found/)
    expect(() => loadDataset(folder('bad', { 'captions.jsonl': '{"id":"a","caption":"c"}\n{"id": "b", caption}\n' }))).toThrow(/captions\.jsonl:2: malformed JSON line/)
    expect(() => loadDataset(folder('dup', { 'captions.jsonl': '{"id":"a","caption":"c"}\n{"id":"a","caption":"d"}\n' }))).toThrow(/duplicate id "a"/)
    expect(() => loadDataset(folder('empty', { 'captions.jsonl': '\n\n' }))).toThrow(/the dataset is empty/)
    expect(() => loadDataset(folder('nothing', { 'captions.jsonl': '{"id":"a"}' }))).toThrow(/captions\.jsonl:1: item has neither an image nor a caption/)
    const f = path.join(folder('fmt', { 'd.parquet': 'x' }), 'd.parquet')
    expect(() => loadDataset(f)).toThrow(/unknown dataset format/)
    expect(() => loadDataset(path.join(tmp, 'does-not-exist'))).toThrow(/dataset not found/)
  })

  it('parseCsv handles CRLF and a missing final newline', () => {
    expect(parseCsv('a,b\r\n1,2').map((r) => r.row)).toEqual([['a', 'b'], ['1', '2']])
    expect(() => parseCsv('a\n"open')).toThrow(/quoted field is never closed/)
  })
})
