import fs from 'node:fs'
import path from 'node:path'
import { FIXTURES } from '../../helpers/fixtures'

/** Numbers from test/fixtures/colour/make_reference.py (numpy / scipy). */
export interface ColourReference {
  lab: { rgb: [number, number, number][]; lab: [number, number, number][] }
  procrustes: { a: number[][]; b: number[][]; disparity: number }[]
  mds: { d: number[][]; eigenvalues: number[]; gram3: number[][] }
  spearman: { embedding: number[][]; lab: number[][]; rho: number }
  pmi: { counts: number[][]; alpha: number; pmi: number[][] }
}

export const reference: ColourReference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'colour', 'reference.json'), 'utf8'))

/** number[][] → row-major float64 Mat. */
export function toMat(rows: number[][]): { data: Float64Array; rows: number; cols: number } {
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0]!.length }
}
