import fs from 'node:fs'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { CALIBRATION_SOURCE } from './sections/alignment'
import { spearman } from '../../common/stats'
import { appVersion } from '../paths'
import type { Workspace } from '../store/workspace'
import { listModels } from '../registry/models'
import { listDatasets } from '../registry/datasets'
import { demoPaths } from '../registry/demo'
import { listFeatureSets } from '../features/store'
import { listAlignments, type AlignmentRecord } from '../align/resultsStore'
import { breakdownFor, listEvalRuns } from '../eval/evalStore'
import { frontierFromPaper, paperCategorySpearman } from '../eval/paperTables'
import { mleBreakdown } from '../eval/mleBreakdown'
import { parseDelimited } from '../eval/read/table'
import { analyseMixture, getMixtureTable, listMixtureTables, surfaceSamples } from '../mix/index'
import type { AlignmentSection, AlignResult, MixturesSection, MleSection, Provenance, ReportData, VqaSection } from './types'
import { gatherExtras } from './gatherExtras'
import { numberOrNull } from '../eval/read/numberOrNull'

const LSBS = 'Han et al., Learning to See Before Seeing (arXiv:2509.26625)'
const PRH = 'Huh et al., The Platonic Representation Hypothesis (ICML 2024)'


/** The stored alignments of the dataset with the most results, under their most common parameters. */
function alignmentSection(ws: Workspace, timings: Provenance['timings'], params: Provenance['parameters']): { section: AlignmentSection | undefined; datasetSha: string | null; ep: string | null } {
  const rows = listAlignments(ws, { limit: 100_000 })
    .filter((r) => r.inputA.kind === 'feature_set' && r.inputB.kind === 'feature_set')
    .reverse()
  if (rows.length === 0) return { section: undefined, datasetSha: null, ep: null }
  const setting = (r: AlignmentRecord) => JSON.stringify([r.k, r.prep, r.q, r.layersMode])
  const counts = new Map<string, number>()
  for (const r of rows) counts.set(setting(r), (counts.get(setting(r)) ?? 0) + 1)
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0]
  const chosen = rows.filter((r) => setting(r) === best)
  const fsRows = listFeatureSets(ws)
  const fsById = new Map(fsRows.map((f) => [f.id, f]))
  const models = listModels(ws)
  const nameOf = (fsId: string): string => {
    const f = fsById.get(fsId)
    return models.find((m) => m.sha256 === f?.modelSha256)?.name ?? fsId
  }
  const datasetSha = fsById.get(chosen[0]!.inputA.sha256)?.datasetSha256 ?? null
  const pairs = new Map<string, { a: string; b: string; result: AlignResult }>()
  for (const r of chosen) {
    const a = nameOf(r.inputA.sha256)
    const b = nameOf(r.inputB.sha256)
    const key = `${a}\u0000${b}`
    let p = pairs.get(key)
    if (!p) {
      p = { a, b, result: { n: r.n, k: r.k, prep: r.prep, q: r.q, layers_mode: r.layersMode, chance: { mutual_knn: r.chance }, metrics: {}, seconds: 0, ep: r.ep, seed: r.seed } }
      pairs.set(key, p)
    }
    const { score, layers, matrix, ci95, calibration } = r.result
    p.result.metrics[r.metric] = { score, layers, matrix, ci95, calibration, p_adjusted: r.pAdjusted }
    p.result.seconds = Math.max(p.result.seconds, r.seconds)
  }
  const names = [...new Set([...pairs.values()].flatMap((p) => [p.a, p.b]))]
  const reportModels = names.map((n) => {
    const m = models.find((x) => x.name === n)
    return { name: n, modality: m?.modality, tags: m ? Object.entries(m.tags).map(([k, v]) => `${k}: ${v}`) : [] }
  })
  const first = chosen[0]!
  Object.assign(params, { k: first.k, prep: first.prep, q: first.q, 'layer mode': first.layersMode, seed: first.seed, 'metrics': [...new Set(chosen.map((r) => r.metric))].join(', ') })
  timings.push({ step: 'alignment (all pairs and metrics)', seconds: round(sumUnique(chosen)) })

  // Alignment versus capability: alignment of every model to the first vision model, against a shared capability.
  let capability: AlignmentSection['capability']
  const withCaps = models.filter((m) => names.includes(m.name) && Object.keys(m.capabilities).length)
  const capName = withCaps.length ? Object.keys(withCaps[0]!.capabilities)[0] : undefined
  const reference = models.find((m) => names.includes(m.name) && m.modality === 'vision') ?? models.find((m) => names.includes(m.name))
  const metric = chosen.some((r) => r.metric === 'mutual_knn') ? 'mutual_knn' : first.metric
  if (capName && reference) {
    const points: { model: string; alignment: number; capability: number }[] = []
    for (const m of withCaps) {
      if (m.name === reference.name || m.capabilities[capName] === undefined) continue
      const p = pairs.get(`${reference.name}\u0000${m.name}`) ?? pairs.get(`${m.name}\u0000${reference.name}`)
      const s = p?.result.metrics[metric]?.score
      if (s !== undefined) points.push({ model: m.name, alignment: s, capability: m.capabilities[capName] })
    }
    if (points.length >= 2) {
      let rho: number | null = null
      let p: number | null = null
      try {
        const r = spearman(points.map((x) => x.capability), points.map((x) => x.alignment))
        rho = r.rho
        p = r.p
      } catch {
        // constant inputs: no correlation to report
      }
      capability = { points, capabilityName: `${capName} (alignment to ${reference.name}, ${metric})`, rho, p }
    }
  }
  // Layer heatmaps: the best pair across modalities (the hypothesis' interesting case), then the best overall.
  const modalityOf = (n: string) => models.find((m) => m.name === n)?.modality
  const ranked = [...pairs.values()].filter((p) => p.result.metrics[metric]?.matrix).sort((x, y) => (y.result.metrics[metric]!.score ?? 0) - (x.result.metrics[metric]!.score ?? 0))
  const cross = ranked.find((p) => modalityOf(p.a) !== modalityOf(p.b))
  const heatmaps = [cross, ranked[0]].filter((p, i, all): p is NonNullable<typeof p> => !!p && all.indexOf(p) === i).map((p) => ({ a: p.a, b: p.b, metric }))
  return {
    section: {
      models: reportModels,
      metric,
      heatmaps,
      pairs: [...pairs.values()],
      capability,
      note: `Metric parameters as in ${PRH}: k nearest neighbours on clamped, L2-normalised features, best layer pair. Untrained sample models score by chance structure only; identical models score 1.`,
    },
    datasetSha,
    ep: first.ep,
  }
}

function sumUnique(rows: AlignmentRecord[]): number {
  const runs = new Map<string, number>()
  for (const r of rows) runs.set(`${r.inputA.sha256}|${r.inputB.sha256}`, r.seconds)
  return [...runs.values()].reduce((s, x) => s + x, 0)
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}

function mleSection(ws: Workspace): MleSection {
  const runs = listEvalRuns(ws)
  if (runs.length) {
    const r = breakdownFor(ws, runs.map((x) => x.id))
    return { models: r.models, paired: r.paired, source: `imported evaluation outputs: ${runs.map((x) => path.basename(x.file)).join(', ')}` }
  }
  const csv = fs.readFileSync(path.join(demoPaths().paperTables, 'lsbs_mle_frontier.csv'), 'utf8')
  const r = mleBreakdown([], frontierFromPaper(csv))
  return { models: r.models, paired: [], source: `${LSBS}, Table 5 (bin-level accuracies; intervals from the published bin sizes 732 / 698 / 431)` }
}

function vqaSection(): VqaSection {
  const dir = demoPaths().paperTables
  const file = path.join(dir, 'lsbs_7b_results.csv')
  const rows = parseDelimited(file, fs.readFileSync(file, 'utf8'), ',')
  const categories = ['general', 'knowledge', 'ocr_chart', 'vision_centric']
  const paper = paperCategorySpearman(fs.readFileSync(path.join(dir, 'lsbs_category_spearman.csv'), 'utf8'))
  return {
    categories,
    models: rows.map((r) => ({
      name: String(r.model),
      scores: Object.fromEntries(categories.map((c) => [c, numberOrNull(r[c])])),
      overall: numberOrNull(r.overall),
    })),
    paper: { categories: paper.categories, matrix: paper.rho },
    spearman: null,
    benchmarks: JSON.parse(fs.readFileSync(path.join(dir, 'lsbs_vqa_categories.json'), 'utf8')) as Record<string, string[]>,
    source: `${LSBS}, Tables 3 and 6 (7B models, 1T tokens) and Figure 5 (Spearman over 105 3B models)`,
  }
}

function mixturesSection(ws: Workspace): MixturesSection | undefined {
  const tables = listMixtureTables(ws)
  if (!tables.length) return undefined
  const section: MixturesSection = { warnings: [] }
  const grid = tables.find((t) => t.kind === 'grid')
  if (grid) {
    const stored = getMixtureTable(ws, grid.id)
    const a = analyseMixture(stored.table, { seed: 1 })
    if (a.x && a.y && a.target && a.heatmap) {
      const points = stored.table.rows
        .filter((r) => typeof r[a.x!] === 'number' && typeof r[a.y!] === 'number' && typeof r[a.target!] === 'number')
        .map((r) => ({ x: r[a.x!] as number, y: r[a.y!] as number, value: r[a.target!] as number }))
      section.grid = {
        xName: a.x,
        yName: a.y,
        valueName: a.target,
        points,
        rows: a.rows,
        best_observed: a.heatmap.best,
        fit: a.fit && a.fit.r2 !== null ? { kind: a.fit.kind, r2: a.fit.r2, optimum: { x: a.fit.optimum.x, y: a.fit.optimum.y, predicted: a.fit.optimum.predicted }, coefficients: { ...a.fit.coefficients } } : null,
        surface: a.fit ? surfaceSamples(a.fit, 24) : undefined,
        source: grid.name.startsWith('lsbs_') ? `${LSBS}, Table 1` : grid.path,
      }
      section.warnings.push(...a.warnings.map((w) => `${grid.name}: ${w}`))
    }
  }
  const recipes = tables.find((t) => t.kind === 'recipes')
  if (recipes) {
    const stored = getMixtureTable(ws, recipes.id)
    const sources = tables.find((t) => t.kind === 'sources')
    const a = analyseMixture(stored.table, { seed: 1, sources: sources ? getMixtureTable(ws, sources.id).table : undefined })
    const cols = stored.table.columns
    section.recipes = {
      columns: cols,
      rows: stored.table.rows as Record<string, string | number | null>[],
      tradeoff: cols.includes('t_acc') && cols.includes('v_acc') ? { x: 't_acc', y: 'v_acc', label: cols[0]!, maximizeX: true, maximizeY: true } : undefined,
      shareScore: cols.includes('reasoning') ? { share: 'reasoning', scores: stored.table.numeric.filter((c) => ['t_acc', 'v_acc'].includes(c)) } : undefined,
      source: recipes.name.startsWith('lsbs_') ? `${LSBS}, Table 2 (derived shares checked against Table 4)` : recipes.path,
    }
    if (a.derived) {
      const flagged = a.derived.disagreeing
      if (flagged.length) section.warnings.push(`${recipes.name}: derived reasoning/visual shares disagree with the table's own columns for ${flagged.join(', ')}`)
    }
  }
  return section
}

/**
 * Everything the report shows, from the workspace: stored alignments, maps, evaluation imports (or the
 * paper's frontier table), the paper's VQA tables, mixture analyses, and a provenance appendix with the
 * SHA-256 of every model and dataset used.
 */
export async function gatherReportData(ws: Workspace, opts: { demo?: boolean } = {}): Promise<ReportData> {
  const timings: Provenance['timings'] = []
  const parameters: Provenance['parameters'] = {}
  const align = alignmentSection(ws, timings, parameters)
  const fsRows = listFeatureSets(ws).filter((f) => f.state === 'complete')
  for (const f of fsRows) {
    const m = listModels(ws).find((x) => x.sha256 === f.modelSha256)
    timings.push({ step: `features: ${m?.name ?? f.modelPath} (${f.n} items, ${f.layers.length} layers, ${f.pool} pooling, ${f.ep ?? '?'})`, seconds: round(f.seconds) })
  }
  const models = listModels(ws)
  const datasets = listDatasets(ws)
  const usedDataset = datasets.find((d) => d.sha256 === align.datasetSha)
  if (usedDataset) parameters.dataset = `${usedDataset.name} (${usedDataset.n} items)`
  const pools = [...new Set(fsRows.map((f) => f.pool))]
  if (pools.length) parameters.pooling = pools.join(', ')
  const extras = await gatherExtras(ws)
  const data: ReportData = {
    title: opts.demo ? 'Platonic Lab — demo report' : 'Platonic Lab report',
    subtitle: opts.demo ? 'Bundled sample models (untrained, random weights) on shapes-256, and the papers’ published tables' : `Workspace ${ws.dir}`,
    alignment: align.section,
    maps: extras.maps,
    mle: mleSection(ws),
    vqa: vqaSection(),
    mixtures: mixturesSection(ws),
    colour: extras.colour,
    provenance: {
      appVersion: appVersion(),
      generatedAt: new Date().toISOString(),
      models: models.filter((m) => !align.section || align.section.models.some((x) => x.name === m.name)).map((m) => ({ name: m.name, path: m.path, sha256: m.sha256, bytes: m.bytes })),
      datasets: datasets.map((d) => ({ name: d.name, sha256: d.sha256, bytes: d.bytes, n: d.n })),
      parameters,
      ep: align.ep ?? fsRows[0]?.ep ?? 'cpu',
      timings,
      environment: { node: process.version, 'onnxruntime-node': ort.env.versions.node ?? 'unknown', platform: `${process.platform}-${process.arch}` },
      sources: [PRH, LSBS, ...(align.section?.pairs.some((p) => Object.values(p.result.metrics).some((m) => m.calibration)) ? [CALIBRATION_SOURCE] : [])],
    },
  }
  return data
}
