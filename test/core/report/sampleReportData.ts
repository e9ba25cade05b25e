// A realistic ReportData built by hand for the report tests: the published tables from
// resources/demo/paper-tables (MLE-Bench, VQA categories, mixture grid, recipes), a quadratic fit of the
// grid made with numpy (test/fixtures/report/make_mixture_fit.py), a small hand-written alignment result
// in the `align --json` shape, and the real SHA-256 of the demo model files.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { AlignResult, ReportData } from '../../../src-main/core/report/types'
import { FIXTURES, MODELS, PAPER_TABLES, SHAPES } from '../../helpers/fixtures'

export function readCsv(file: string): Record<string, string>[] {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/)
  const cols = head!.split(',')
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])))
}

/** Wilson score interval, z = 1.96 (Wilson 1927): (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n). */
export function wilson(correct: number, n: number, z = 1.959964): [number, number] {
  const p = correct / n
  const d = 1 + (z * z) / n
  const c = p + (z * z) / (2 * n)
  const h = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))
  return [(c - h) / d, (c + h) / d]
}

function ranks(v: number[]): number[] {
  const idx = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0])
  const r = new Array<number>(v.length)
  for (let i = 0; i < idx.length; ) {
    let j = i
    while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++
    for (let k = i; k <= j; k++) r[idx[k]![1]] = (i + j) / 2 + 1
    i = j + 1
  }
  return r
}

/** Spearman ρ = Pearson correlation of ranks (average ranks for ties). */
export function spearman(a: number[], b: number[]): number {
  const ra = ranks(a)
  const rb = ranks(b)
  const ma = ra.reduce((s, x) => s + x, 0) / ra.length
  const mb = rb.reduce((s, x) => s + x, 0) / rb.length
  let sab = 0, saa = 0, sbb = 0
  for (let i = 0; i < ra.length; i++) {
    sab += (ra[i]! - ma) * (rb[i]! - mb)
    saa += (ra[i]! - ma) ** 2
    sbb += (rb[i]! - mb) ** 2
  }
  return sab / Math.sqrt(saa * sbb)
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

export const MLE_BIN_SIZES: Record<string, number> = { '0-30': 732, '30-60': 698, '60-100': 431 }

/** A 5 × 5 layer matrix rising toward the deep layers, peaking at (4, 3) with `peak`. */
function layerMatrix(peak: number): number[][] {
  return Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => +(peak * (0.45 + 0.1 * i + 0.1 * j - (i === 4 && j === 4 ? 0.12 : 0))).toFixed(4)))
}

function align(peak: number, cka: number): AlignResult {
  const m = layerMatrix(peak)
  return {
    n: 256, k: 10, prep: 'clamp-exact', q: 0.95, layers_mode: 'max',
    chance: { mutual_knn: 10 / 255, cka: 0 },
    metrics: {
      mutual_knn: { score: peak * (0.45 + 0.4 + 0.3), layers: [4, 3], matrix: m, ci95: [peak * 1.05, peak * 1.25] },
      cka: { score: cka, layers: [3, 3], matrix: null, ci95: null },
    },
    seconds: 0.42, ep: 'cpu', seed: 0,
  }
}

export function sampleReportData(): ReportData {
  const mle = readCsv(path.join(PAPER_TABLES, 'lsbs_mle_frontier.csv'))
  const bins = ['0-30', '30-60', '60-100']
  const cols = ['acc_0_30', 'acc_30_60', 'acc_60_100']
  const mleModels = mle.map((r) => {
    const b = Object.fromEntries(
      bins.map((bin, i) => {
        const n = MLE_BIN_SIZES[bin]!
        const correct = Math.round((Number(r[cols[i]!]) / 100) * n)
        return [bin, { n, correct, acc: correct / n, ci95: wilson(correct, n) }]
      }),
    )
    const correct = bins.reduce((s, bin) => s + b[bin]!.correct, 0)
    return { name: r.model!, n: 1861, bins: b, overall_weighted: correct / 1861, overall_unweighted: bins.reduce((s, bin) => s + b[bin]!.acc, 0) / 3, unparsed: 0 }
  })

  const cats = ['general', 'knowledge', 'ocr_chart', 'vision_centric']
  const vqaRows = readCsv(path.join(PAPER_TABLES, 'lsbs_7b_results.csv'))
  const vqaModels = vqaRows.map((r) => ({ name: r.model!, scores: Object.fromEntries(cats.map((c) => [c, Number(r[c])])), overall: Number(r.overall) }))
  const ours = cats.map((a) => cats.map((b) => +spearman(vqaModels.map((m) => m.scores[a]!), vqaModels.map((m) => m.scores[b]!)).toFixed(4)))
  const paperCorr = readCsv(path.join(PAPER_TABLES, 'lsbs_category_spearman.csv'))
  const paper = cats.map((a) => cats.map((b) => Number(paperCorr.find((r) => r.category === a)![b])))

  const grid = readCsv(path.join(PAPER_TABLES, 'lsbs_mixture_grid.csv')).map((r) => ({ x: Number(r.reasoning_pct), y: Number(r.visual_pct), value: Number(r.avg_vqa) }))
  const fit = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'report', 'mixture_fit.json'), 'utf8'))
  const recipeRows = readCsv(path.join(PAPER_TABLES, 'lsbs_recipes.csv'))
  const recipeCols = Object.keys(recipeRows[0]!)
  const recipes = recipeRows.map((r) => Object.fromEntries(recipeCols.map((c) => [c, c === 'recipe' ? r[c]! : Number(r[c])])))

  const modelFiles = ['vit-tiny', 'gpt-tiny'].map((m) => {
    const f = path.join(MODELS, m, 'onnx', 'model.onnx')
    return { name: m, path: `resources/demo/models/${m}/onnx/model.onnx`, sha256: sha256(f), bytes: fs.statSync(f).size }
  })
  const captions = path.join(SHAPES, 'captions.jsonl')

  const shapes = ['circle', 'square', 'triangle', 'star']
  const items = Array.from({ length: 256 }, (_, i) => {
    const c = i % 4
    const a = (i * 2.399963) % (2 * Math.PI)
    const rr = 1 + ((i * 7919) % 100) / 100
    return { x: 6 * Math.cos((c * Math.PI) / 2) + rr * Math.cos(a), y: 6 * Math.sin((c * Math.PI) / 2) + rr * Math.sin(a), label: `item ${i}`, category: shapes[c]! }
  })
  const colours: [string, string][] = [['red', '#e6194b'], ['green', '#3cb44b'], ['yellow', '#ffe119'], ['blue', '#4363d8'], ['orange', '#f58231'], ['purple', '#911eb4'], ['cyan', '#42d4f4'], ['pink', '#f032e6'], ['white', '#ffffff'], ['black', '#000000'], ['brown', '#9a6324'], ['grey', '#a9a9a9']]
  const embed = (rot: number, noise: number) => colours.map(([label, hex], i) => {
    const a = (i / colours.length) * 2 * Math.PI + rot
    return { x: +(Math.cos(a) + noise * Math.sin(7 * i)).toFixed(3), y: +(Math.sin(a) + noise * Math.cos(5 * i)).toFixed(3), hex, label }
  })

  return {
    title: 'Platonic Lab report — test sample',
    subtitle: 'Hand-built data for the report tests',
    alignment: {
      models: [{ name: 'vit-tiny', modality: 'vision' }, { name: 'gpt-tiny', modality: 'language' }, { name: 'gpt-small', modality: 'language' }],
      metric: 'mutual_knn',
      pairs: [
        { a: 'vit-tiny', b: 'gpt-tiny', result: align(0.1333, 0.41) },
        { a: 'vit-tiny', b: 'gpt-small', result: align(0.1478, 0.47) },
        { a: 'gpt-tiny', b: 'gpt-small', result: align(0.2609, 0.62) },
      ],
      capability: {
        capabilityName: 'bits per byte (lower is better)',
        points: [
          { model: 'gpt-tiny', alignment: 0.153, capability: 1.21 },
          { model: 'gpt-small', alignment: 0.17, capability: 1.02 },
          { model: 'gpt-medium', alignment: 0.181, capability: 0.93 },
          { model: 'gpt-large', alignment: 0.196, capability: 0.88 },
        ],
        rho: -1,
        p: 0.0417,
      },
    },
    maps: {
      items: { title: 'Items (vit-tiny, last layer)', method: 'umap', points: items, params: { n_neighbors: 15, seed: 0 } },
      models: { title: 'Models', method: 'mds', points: [{ x: 0, y: 0, label: 'vit-tiny', category: 'vision' }, { x: 1, y: 0.2, label: 'gpt-tiny', category: 'language' }, { x: 1.2, y: -0.1, label: 'gpt-small', category: 'language' }] },
    },
    mle: { models: mleModels, paired: [{ a: 'gpt-5', b: 'gpt-4o-mini', bin: '0-30', delta: 0.0491, p_value: 0.0123 }], source: 'Han et al. 2025, Table 5 (published accuracies; counts rounded from them)' },
    vqa: { categories: cats, models: vqaModels, spearman: { categories: cats, matrix: ours }, paper: { categories: cats, matrix: paper }, benchmarks: JSON.parse(fs.readFileSync(path.join(PAPER_TABLES, 'lsbs_vqa_categories.json'), 'utf8')), source: 'Han et al. 2025, Tables 3 and 6' },
    mixtures: {
      grid: { xName: 'reasoning %', yName: 'visual %', valueName: 'avg VQA', points: grid, rows: grid.length, best_observed: { x: 60, y: 15, value: 32.7 }, fit: { kind: fit.kind, r2: fit.r2, optimum: fit.optimum, coefficients: fit.coefficients }, surface: fit.surface, source: 'Han et al. 2025, Table 1' },
      recipes: { columns: recipeCols, rows: recipes, tradeoff: { x: 't_acc', y: 'v_acc', label: 'recipe' }, shareScore: { share: 'reasoning', scores: ['v_acc'] }, source: 'Han et al. 2025, Table 2' },
      warnings: ['lsbs_mixture_grid.csv: grid is sparse (30 of 48 cells); visual 20–30% only for reasoning 60 and 65'],
    },
    colour: {
      scoreName: 'colour-space R²',
      layers: [0, 1, 2, 3, 4].map((l) => ({ layer: l, score: [0.12, 0.48, 0.71, 0.66, 0.58][l]! })),
      embeddings: [
        { title: 'CIELAB (ground truth)', points: embed(0, 0) },
        { title: 'gpt-tiny layer 2', points: embed(0.3, 0.15) },
        { title: 'gpt-tiny layer 4', points: embed(0.9, 0.35) },
      ],
    },
    provenance: {
      appVersion: '0.1.0',
      generatedAt: '2025-11-26T12:00:00Z',
      models: modelFiles,
      datasets: [{ name: 'shapes-256', sha256: sha256(captions), bytes: fs.statSync(captions).size, n: 256 }],
      parameters: { metric: 'mutual_knn', k: 10, prep: 'clamp-exact', q: 0.95, layers_mode: 'max', pool: 'auto', bootstrap: 200, seed: 0 },
      ep: 'cpu',
      timings: [{ step: 'extract vit-tiny', seconds: 1.84 }, { step: 'extract gpt-tiny', seconds: 2.31 }, { step: 'align (3 pairs)', seconds: 0.42 }],
      environment: { node: 'v20', platform: 'linux x64' },
      sources: ['Han et al., Learning to See Before Seeing, arXiv:2509.26625', 'Huh et al., The Platonic Representation Hypothesis, arXiv:2405.07987'],
    },
  }
}
