import fs from 'node:fs'
import path from 'node:path'
import type { AppApi } from '../../common/api'
import { badInput, isAppError } from '../../common/errors'
import type { Workspace } from '../../core/store/workspace'
import { breakdownFor, deleteEvalRun, importEvalFiles, listEvalRuns, rowsFor } from '../../core/eval/evalStore'
import { questionTable } from '../../core/eval/questionTable'
import { frontierFromPaper, paperCategorySpearman } from '../../core/eval/paperTables'
import { mleBreakdown } from '../../core/eval/mleBreakdown'
import { vqaCategories, type CategoryMap } from '../../core/eval/vqaCategories'
import { categorySpearman } from '../../core/eval/categorySpearman'
import { parseDelimited } from '../../core/eval/read/table'
import { demoPaths } from '../../core/registry/demo'
import { numberOrNull } from '../../core/eval/read/numberOrNull'
import { readUserFile } from '../../core/data/userFile'

type EvalApi = Pick<AppApi, 'eval.import' | 'eval.list' | 'eval.remove' | 'eval.breakdown' | 'eval.questions' | 'eval.paper' | 'eval.vqa' | 'eval.image'>

const PAPER = 'Han et al., Learning to See Before Seeing, arXiv:2509.26625 — Tables 3, 5, 6, Figure 5, Appendix B.2'

export function paperCategories(): CategoryMap {
  return JSON.parse(fs.readFileSync(path.join(demoPaths().paperTables, 'lsbs_vqa_categories.json'), 'utf8')) as CategoryMap
}

/** The evaluation-analytics part of the AppApi (MLE-Bench view). */
export function evalHandlers(ws: Workspace, changed: () => void): EvalApi {
  return {
    'eval.import': async ({ paths, format, models, benchmark, verdict }) => {
      const r = await importEvalFiles(ws, paths, { format, models, benchmark, verdict })
      changed()
      return r
    },
    'eval.list': async () => listEvalRuns(ws),
    'eval.remove': async ({ id }) => {
      const removed = deleteEvalRun(ws, id)
      changed()
      return { removed }
    },
    'eval.breakdown': async ({ ids }) => breakdownFor(ws, ids),
    'eval.questions': async ({ ids, disagreementsOnly, bin }) => questionTable(rowsFor(ws, ids), { disagreementsOnly, bin }),
    'eval.paper': async () => {
      const dir = demoPaths().paperTables
      const frontierCsv = path.join(dir, 'lsbs_mle_frontier.csv')
      const frontier = frontierFromPaper(fs.readFileSync(frontierCsv, 'utf8'))
      const spearmanCsv = path.join(dir, 'lsbs_category_spearman.csv')
      const results = parseDelimited(path.join(dir, 'lsbs_7b_results.csv'), fs.readFileSync(path.join(dir, 'lsbs_7b_results.csv'), 'utf8'), ',')
      return {
        frontier,
        frontierBreakdown: mleBreakdown([], frontier),
        categories: paperCategories(),
        paperSpearman: paperCategorySpearman(fs.readFileSync(spearmanCsv, 'utf8')),
        results7b: results.map((r) => ({
          model: String(r.model),
          scores: Object.fromEntries(['general', 'knowledge', 'ocr_chart', 'vision_centric', 'overall'].map((k) => [k, numberOrNull(r[k])])),
        })),
        source: PAPER,
      }
    },
    'eval.vqa': async ({ models }) => {
      const cats = paperCategories()
      const perModel = models.map((m) => ({ name: m.name, ...vqaCategories(m.scores, cats) }))
      let spearman = null
      let spearmanError: string | null = null
      try {
        spearman = categorySpearman(perModel.map((m) => ({ name: m.name, categories: Object.fromEntries(Object.entries(m.categories).map(([c, v]) => [c, v.score])) })))
      } catch (e) {
        spearmanError = isAppError(e) ? e.message : String(e)
      }
      return { perModel, spearman, spearmanError }
    },
    'eval.image': async ({ folder, qid }) => {
      // The id comes from an evaluation file: it names a file inside the folder, never a path.
      if (!/^[\w.-]+$/.test(qid) || qid.startsWith('.')) throw badInput(qid, 'question id is not a plain file name')
      const dir = path.resolve(folder)
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw badInput(dir, 'image folder not found')
      for (const ext of ['.png', '.jpg', '.jpeg', '.webp']) {
        const file = path.join(dir, qid + ext)
        if (fs.existsSync(file) && fs.statSync(file).isFile()) {
          const mime = ext === '.png' ? 'image/png' : ext === '.webp' ? 'image/webp' : 'image/jpeg'
          return { dataUrl: `data:${mime};base64,${readUserFile(file, { what: 'an image', maxBytes: 64 << 20 }).toString('base64')}`, file }
        }
      }
      return { dataUrl: null, file: null }
    },
  }
}
