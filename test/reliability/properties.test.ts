import fc from 'fast-check'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../src-main/common/errors'
import type { Tensor3 } from '../../src-main/common/matrix'
import { align } from '../../src-main/core/align/align'
import { METRIC_NAMES, ASYMMETRIC } from '../../src-main/core/align/metrics'
import { PREPS } from '../../src-main/core/align/prep'
import { loadDataset } from '../../src-main/core/data/dataset'
import { encodeNpy, parseNpy, toFeatures } from '../../src-main/core/data/npy'
import { readEvalFile } from '../../src-main/core/eval/import/readEvalFile'
import { detectLayout } from '../../src-main/core/mix/layout'
import { parseCsvTable, parseJsonTable } from '../../src-main/core/mix/readTable'
import { tmpDir } from '../helpers/tmp'

// Property tests over random input: parsers either return a value or throw the app's BAD_INPUT error
// (never a TypeError/RangeError that would surface as "internal failure"), and the metric kernels stay
// finite, in range and symmetric where the metric promises it. Fixed seeds keep failures reproducible.

const SEED = 20240611
const t = tmpDir('pl-prop-')
afterAll(() => t.cleanup())

/** Runs fn; passes if it returns or throws an AppError with code BAD_INPUT. Returns the value or null. */
function badInputOr<T>(fn: () => T): T | null {
  try {
    return fn()
  } catch (e) {
    if (!isAppError(e) || e.code !== 'BAD_INPUT') throw new Error(`expected a value or a BAD_INPUT AppError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
    return null
  }
}

async function badInputOrAsync<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn()
  } catch (e) {
    if (!isAppError(e) || e.code !== 'BAD_INPUT') throw new Error(`expected a value or a BAD_INPUT AppError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
    return null
  }
}

let fileNo = 0
function tmpFile(ext: string, content: string | Buffer): string {
  const f = path.join(t.dir, `f${fileNo++}${ext}`)
  fs.writeFileSync(f, content)
  return f
}

describe('npy parser', () => {
  const shapeArb = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 4 })

  it('round-trips any float32 array of any shape through encodeNpy/parseNpy, bit for bit', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) => {
          const count = shape.reduce((a, b) => a * b, 1)
          return fc.tuple(fc.constant(shape), fc.array(fc.float({ noDefaultInfinity: false }), { minLength: count, maxLength: count }))
        }),
        ([shape, values]) => {
          const data = Float32Array.from(values)
          const back = parseNpy(encodeNpy(data, shape), 'x.npy')
          expect(back.shape).toEqual(shape)
          expect(back.dtype).toBe('f4')
          expect(Buffer.from(back.data.buffer).equals(Buffer.from(data.buffer))).toBe(true)
        },
      ),
      { seed: SEED, numRuns: 60 },
    )
  })

  it('random bytes, and valid files truncated or with a damaged header, give BAD_INPUT or a consistent array', () => {
    const valid = encodeNpy(Float32Array.from({ length: 24 }, (_, i) => i / 3), [2, 3, 4])
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          fc.integer({ min: 0, max: valid.length }).map((n) => valid.subarray(0, n)),
          fc.tuple(fc.integer({ min: 0, max: 127 }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
            const b = Buffer.from(valid)
            b[i] = v
            return b
          }),
          // header text variations: shapes, dtypes and dict syntax that numpy would or would not write
          fc.tuple(fc.constantFrom('<f4', '<f8', '>f4', '|u1', '<i8', '=f4', 'f4', ''), fc.string({ maxLength: 20 }), fc.boolean()).map(([descr, shape, fortran]) => {
            const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape}), }\n`
            const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0])
            head.writeUInt16LE(dict.length, 8)
            return Buffer.concat([head, Buffer.from(dict, 'latin1'), Buffer.alloc(32)])
          }),
        ),
        (buf) => {
          const a = badInputOr(() => parseNpy(buf, 'random.npy'))
          if (a) {
            expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1))
            badInputOr(() => toFeatures(a, 'random.npy'))
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    )
  })
})

describe('dataset loading of random manifests', () => {
  // Keys the loader looks at, with values of any JSON type, so the random records reach past the JSON parse.
  const record = fc.dictionary(fc.constantFrom('id', 'image', 'caption', 'text', 'attributes', 'extra', 'x'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })

  it('.jsonl: any lines give items or BAD_INPUT; items always have an id and a caption or an image inside the folder', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(record.map((r) => JSON.stringify(r)), fc.string({ maxLength: 30 })), { maxLength: 6 }), (lines) => {
        const f = tmpFile('.jsonl', lines.join('\n'))
        const ds = badInputOr(() => loadDataset(f))
        if (ds) {
          expect(ds.n).toBe(lines.filter((l) => l.trim()).length)
          for (const it of ds.items) {
            expect(typeof it.id).toBe('string')
            expect(it.caption !== undefined || it.image !== undefined).toBe(true)
            if (it.image) expect(path.relative(t.dir, it.image).startsWith('..')).toBe(false)
          }
        }
      }),
      { seed: SEED, numRuns: 150 },
    )
  })

  it('.csv and .txt: any text gives items or BAD_INPUT', () => {
    const csvText = fc.array(fc.array(fc.oneof(fc.constantFrom('id', 'caption', 'image', '"', '""', ',', 'a b', 'x.png', '../x.png', '/etc/passwd', '\r'), fc.string({ maxLength: 8 })), { maxLength: 4 }), { maxLength: 5 }).map((rows) => rows.map((r) => r.join(',')).join('\n'))
    fc.assert(
      fc.property(fc.oneof(csvText.map((s) => `id,caption\n${s}`), csvText), fc.constantFrom('.csv', '.txt'), (text, ext) => {
        const ds = badInputOr(() => loadDataset(tmpFile(ext, text)))
        if (ds) expect(ds.items.length).toBeGreaterThan(0)
      }),
      { seed: SEED, numRuns: 80 },
    )
  })
})

describe('mixture table parser', () => {
  const cell = fc.oneof(fc.constantFrom('', 'na', '12', '12.5', '1e3', '-0', 'x', '"q"', '50%', 'NaN', 'Infinity', '—'), fc.string({ maxLength: 6 }))
  it('random CSV/JSON tables parse to a consistent table or BAD_INPUT, and layout detection never crashes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 0, maxLength: 6 }),
        fc.constantFrom('csv', 'json'),
        (rows, kind) => {
          const table =
            kind === 'csv'
              ? badInputOr(() => parseCsvTable(rows.map((r) => r.join(',')).join('\n'), 'random.csv'))
              : badInputOr(() => parseJsonTable(JSON.stringify(rows.slice(1).map((r) => Object.fromEntries(r.map((v, i) => [rows[0]?.[i] ?? `c${i}`, v])))), 'random.json'))
          if (!table) return
          expect(table.rows.length).toBe(table.rowNumbers.length)
          for (const c of table.numeric) expect(table.columns).toContain(c)
          for (const r of table.rows) for (const c of table.numeric) expect(r[c] === null || typeof r[c] === 'number').toBe(true)
          badInputOr(() => detectLayout(table))
        },
      ),
      { seed: SEED, numRuns: 150 },
    )
  })
})

describe('evaluation file sniffing and import', () => {
  // Records built from the keys the importers look for, with values of any JSON type.
  const keys = ['doc_id', 'doc', 'resps', 'filtered_resps', 'target', 'questionId', 'answer', 'gt_answer', 'category', 'options', 'sub_task', 'prediction', 'choices', 'question', 'index', 'id', 'text']
  const rec = fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('A', 'B', '0-30', 'small', ['yes', 'no'], { sub_task: '30-60', answer: 'A' })), { maxKeys: 8 })
  it('random JSONL records give rows or BAD_INPUT, never a TypeError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rec, { minLength: 1, maxLength: 5 }), fc.constantFrom('auto', 'lmms-eval', 'cambrian', 'jsonl') as fc.Arbitrary<'auto' | 'lmms-eval' | 'cambrian' | 'jsonl'>, async (recs, format) => {
        const f = tmpFile('.jsonl', recs.map((r) => JSON.stringify(r)).join('\n'))
        const r = await badInputOrAsync(() => readEvalFile(f, format))
        if (r && r.kind === 'rows') for (const row of r.rows) expect(row).toBeTypeOf('object')
      }),
      { seed: SEED, numRuns: 250 },
    )
  })
})

/** Small seeded PRNG (mulberry32) so a fast-check case is just a few integers and shrinks well. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/** Random [N, L, D] features; `style` adds ties (duplicated rows) and constant columns. */
function randomTensor(n: number, layers: number, dim: number, seed: number, style: number): Tensor3 {
  const r = mulberry32(seed)
  const data = new Float32Array(n * layers * dim)
  for (let i = 0; i < data.length; i++) data[i] = (r() - 0.5) * 20
  if (style === 1) data.copyWithin(layers * dim, 0, layers * dim) // item 1 duplicates item 0
  if (style === 2 && dim > 1) for (let i = 0; i < n * layers; i++) data[i * dim] = 3 // first column constant
  return { data, n, layers, dim }
}

describe('metric kernels on random shapes and values (reference backend)', () => {
  const KNN = new Set(['mutual_knn', 'cycle_knn', 'lcs_knn', 'edit_distance_knn'])
  const EPS = 1e-6

  it('all metrics: finite, in range, and symmetric when A and B swap (except cycle_knn, cknna)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 5, max: 40 }),
          la: fc.integer({ min: 1, max: 3 }),
          lb: fc.integer({ min: 1, max: 3 }),
          da: fc.integer({ min: 1, max: 20 }),
          db: fc.integer({ min: 1, max: 20 }),
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          style: fc.integer({ min: 0, max: 2 }),
          prep: fc.constantFrom(...PREPS),
          kFrac: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        async ({ n, la, lb, da, db, seed, style, prep, kFrac }) => {
          const k = 2 + Math.floor(kFrac * (Math.min(10, n - 1) - 2))
          const A = randomTensor(n, la, da, seed, style)
          const B = randomTensor(n, lb, db, seed + 1, 0)
          const opts = { metrics: 'all' as const, k, prep }
          const ab = await align(A, B, opts)
          const ba = await align(B, A, opts)
          for (const m of METRIC_NAMES) {
            const s = ab.metrics[m]!.score
            expect(Number.isFinite(s), `${m} = ${s}`).toBe(true)
            if (KNN.has(m)) {
              expect(s).toBeGreaterThanOrEqual(0)
              expect(s).toBeLessThanOrEqual(1 + EPS)
            }
            if (m === 'cka' || m === 'cka_rbf' || m === 'svcca') {
              expect(s, m).toBeGreaterThanOrEqual(-EPS)
              expect(s, m).toBeLessThanOrEqual(1 + EPS)
            }
            if (m === 'unbiased_cka') expect(Math.abs(s)).toBeLessThanOrEqual(1 + EPS)
            for (const row of ab.metrics[m]!.matrix ?? []) for (const v of row) expect(Number.isFinite(v), `${m} matrix entry ${v}`).toBe(true)
            if (!ASYMMETRIC.has(m)) {
              expect(ba.metrics[m]!.score, `${m} not symmetric`).toBeCloseTo(s, 6)
              // the swapped matrix is the transpose
              const mab = ab.metrics[m]!.matrix
              const mba = ba.metrics[m]!.matrix
              if (mab && mba) mab.forEach((row, i) => row.forEach((v, j) => expect(mba[j]![i]!).toBeCloseTo(v, 6)))
            }
          }
          expect(ab.chance.mutual_knn).toBeGreaterThan(0)
          expect(ab.chance.mutual_knn).toBeLessThanOrEqual(1)
        },
      ),
      { seed: SEED, numRuns: 60 },
    )
  })

  it('aligning a feature set with itself gives the maximum for every symmetric similarity', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 6, max: 30 }), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 1e9 }), async (n, d, seed) => {
        const A = randomTensor(n, 1, d, seed, 0)
        const r = await align(A, A, { metrics: ['mutual_knn', 'cka', 'cka_rbf', 'unbiased_cka', 'svcca'], k: Math.min(5, n - 1), prep: 'l2' })
        // float32 features: the unbiased estimator's N(N-3) terms lose a few digits for small N
        for (const m of ['mutual_knn', 'cka', 'cka_rbf']) expect(r.metrics[m]!.score, m).toBeCloseTo(1, 6)
        for (const m of ['unbiased_cka', 'svcca']) expect(r.metrics[m]!.score, m).toBeCloseTo(1, 4)
      }),
      { seed: SEED, numRuns: 20 },
    )
  })
})
