import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { EvaluateQuestionCounts, EvaluateTiming } from '../../common/contract/jobs'
import { AppError, badArg } from '../../common/errors'
import { breakdownFor, importEvalFiles } from '../eval/evalStore'
import { letterOfAnswer } from '../eval/buildRow'
import type { MleResult } from '../eval/mleBreakdown'
import { parsePrediction } from '../eval/parsePrediction'
import { EP_CHOICES, type EpAttempt, type EpChoice } from '../onnx/ep'
import { appVersion } from '../paths'
import { fileSha256 } from '../store/fileHash'
import type { Workspace } from '../store/workspace'
import { canonicalJson } from '../features/featureKey'
import { readBenchmark, type BenchmarkQuestion } from './benchmark'
import { mleBenchPrompt } from './chatPrompt'
import { GreedyVlm } from './greedy'
import { Prompter, type PreparedPrompt } from './prompter'
import { inspectVlm, VLM_VARIANTS, type VlmVariant } from './vlmLayout'

export interface EvaluateRequest {
  modelPath: string
  benchmarkPath: string
  /** Ask every question without its image (language priors alone). */
  blind?: boolean
  limit?: number
  batch?: number
  ep?: EpChoice
  maxNewTokens?: number
  /** Precision variant of the three graphs (transformers.js file suffix); default: the first complete one. */
  dtype?: VlmVariant
  /** The run's model label in the views; default: the model folder's name (plus " (blind)"). */
  label?: string
}

export interface EvaluateHooks {
  onProgress?(fraction: number, message: string, etaSeconds: number | null): void
  signal?: AbortSignal
}

/** One line of a run's answers file: the plain-JSONL shape `mle` imports, plus the prompt and verdict. */
export interface AnswerLine {
  index: number
  id: string
  sub_task: string
  question: string
  choices: string[]
  answer: string
  prompt: string
  prediction: string
  pred_letter: string | null
  correct: boolean
  generated_tokens: number
}

export interface EvaluateResult {
  breakdown: MleResult
  run_id: string
  answers: string
  prompt: { format: string; post_prompt: string; chat_template_sha256: string; example: string }
  settings: Record<string, unknown>
  ep: string
  skipped_eps: EpAttempt[]
  questions: EvaluateQuestionCounts
  timing: EvaluateTiming
  out?: string
}

const POST_PROMPT = "Answer with the option's letter from the given choices directly."

function checkRequest(req: EvaluateRequest): { batch: number; ep: EpChoice; maxNew: number; limit: number | null } {
  const batch = req.batch ?? 1
  if (!Number.isInteger(batch) || batch < 1 || batch > 256) throw badArg('batch', `expected an integer from 1 to 256, got ${req.batch}`)
  const ep = req.ep ?? 'auto'
  if (!(EP_CHOICES as readonly string[]).includes(ep)) throw badArg('ep', `expected one of ${EP_CHOICES.join(', ')}, got ${ep}`)
  const maxNew = req.maxNewTokens ?? 16
  if (!Number.isInteger(maxNew) || maxNew < 1 || maxNew > 4096) throw badArg('maxNewTokens', `expected an integer from 1 to 4096, got ${req.maxNewTokens}`)
  const limit = req.limit ?? null
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) throw badArg('limit', `expected a positive integer, got ${req.limit}`)
  if (req.dtype !== undefined && !(VLM_VARIANTS as readonly string[]).includes(req.dtype)) throw badArg('dtype', `expected one of ${VLM_VARIANTS.filter(Boolean).join(', ')}, got ${req.dtype}`)
  return { batch, ep, maxNew, limit }
}

/**
 * Reads a run's answers file, keeping every complete line that answers a question of this run; a torn
 * last line (a crash mid-write) is cut off so appending continues cleanly.
 */
function readAnswered(file: string, questions: BenchmarkQuestion[], promptOf: (q: BenchmarkQuestion) => string): Map<number, AnswerLine> {
  const done = new Map<number, AnswerLine>()
  if (!fs.existsSync(file)) return done
  const text = fs.readFileSync(file, 'utf8')
  const end = text.lastIndexOf('\n') + 1
  if (end < text.length) fs.truncateSync(file, Buffer.byteLength(text.slice(0, end)))
  const byIndex = new Map(questions.map((q) => [q.index, q]))
  for (const line of text.slice(0, end).split('\n')) {
    if (!line) continue
    let a: AnswerLine
    try {
      a = JSON.parse(line) as AnswerLine
    } catch {
      continue
    }
    const q = byIndex.get(a.index)
    // Only answers to this very question (same prompt) count; anything else is recomputed.
    if (q && a.prompt === promptOf(q) && typeof a.prediction === 'string') done.set(a.index, a)
  }
  return done
}

function appendDurably(file: string, lines: AnswerLine[]): void {
  const fd = fs.openSync(file, 'a')
  try {
    fs.writeSync(fd, lines.map((l) => JSON.stringify(l) + '\n').join(''))
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Answers a multiple-choice benchmark with a local LLaVA-style checkpoint, greedy decoding with the KV
 * cache, and stores the answers as an evaluation run (the MLE-Bench view, its report section and `mle`
 * read it like an imported lmms-eval run). The prompt is lmms-eval's `mle_bench` prompt in the model's
 * chat template; answers are parsed with the app's parser. Every batch's answers are appended (and
 * fsynced) to the run's answers file in the workspace, so a crash or cancel resumes where it stopped;
 * the run is keyed by the model's and benchmark's bytes and every setting that changes an answer.
 */
export async function evaluateVlm(ws: Workspace, req: EvaluateRequest, hooks: EvaluateHooks = {}): Promise<EvaluateResult> {
  const t0 = performance.now()
  const { batch, ep, maxNew, limit } = checkRequest(req)
  const layout = inspectVlm(req.modelPath, req.dtype)
  const bench = readBenchmark(req.benchmarkPath)
  const questions = limit !== null ? bench.questions.slice(0, limit) : bench.questions
  const blind = req.blind === true
  const prompter = new Prompter(layout)
  const promptOf = (q: BenchmarkQuestion): string => mleBenchPrompt(q.question, q.choices)

  const hashAll = (files: string[]): string => crypto.createHash('sha256').update(files.map((f) => `${path.basename(f)}\0${fileSha256(ws, f).sha256}\n`).join('')).digest('hex')
  const settings = {
    model: { dir: layout.dir, variant: layout.variant || 'fp32', sha256: hashAll(layout.hashedFiles), model_type: layout.modelType },
    benchmark: { dir: bench.dir, data_sha256: fileSha256(ws, bench.dataFile).sha256, images_sha256: blind ? null : hashAll(questions.map((q) => q.image)), questions: questions.length },
    blind,
    max_new_tokens: maxNew,
    decoding: 'greedy (temperature 0), KV cache',
    prompt_format: 'lmms-eval mle_bench: question, lettered options, post-prompt',
    post_prompt: POST_PROMPT,
    chat_template_sha256: crypto.createHash('sha256').update(layout.chatTemplate).digest('hex'),
    image_token_id: layout.imageTokenId,
    eos_token_ids: layout.eosTokenIds,
  }
  const key = crypto.createHash('sha256').update(canonicalJson(settings)).digest('hex')
  const dir = path.join(ws.dir, 'evaluations', key.slice(0, 24))
  fs.mkdirSync(dir, { recursive: true })
  const answersFile = path.join(dir, 'answers.jsonl')
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...settings, chat_template: layout.chatTemplate, app_version: appVersion() }, null, 2) + '\n')
  const answered = readAnswered(answersFile, questions, promptOf)
  const resumed = answered.size
  const todo = questions.filter((q) => !answered.has(q.index))

  let generatedTokens = 0
  let generateS = 0
  let runner: GreedyVlm | null = null
  let epUsed = 'cpu'
  let skipped: EpAttempt[] = []
  let sessionRunS = 0
  if (todo.length > 0) {
    runner = await GreedyVlm.open(layout, ep, { intraOpNumThreads: os.availableParallelism() })
    epUsed = runner.ep
    skipped = runner.skipped
    const tg = performance.now()
    try {
      for (let start = 0; start < todo.length; start += batch) {
        if (hooks.signal?.aborted) throw new AppError('CANCELLED', `evaluation cancelled after ${answered.size}/${questions.length} questions; run it again to resume`)
        const group = todo.slice(start, start + batch)
        const prepared: PreparedPrompt[] = group.map((q) => prompter.prepare(promptOf(q), blind ? null : q.image))
        const outs = await runner.generate(prepared, maxNew, hooks.signal)
        const lines = group.map((q, i): AnswerLine => {
          const tokens = outs[i]!
          generatedTokens += tokens.length
          const prediction = prompter.decode(tokens).trim()
          const parsed = parsePrediction(prediction, q.choices)
          const truth = letterOfAnswer(`${bench.dataFile}:${q.index + 1}`, { qid: q.id, binLabel: q.subTask, question: q.question, choices: q.choices, answerText: q.answer, predRaw: prediction })
          return {
            index: q.index,
            id: q.id,
            sub_task: q.subTask,
            question: q.question,
            choices: q.choices,
            answer: q.answer,
            prompt: promptOf(q),
            prediction,
            pred_letter: parsed.letter,
            correct: parsed.letter === truth,
            generated_tokens: tokens.length,
          }
        })
        appendDurably(answersFile, lines)
        for (const l of lines) answered.set(l.index, l)
        const elapsed = (performance.now() - tg) / 1000
        const doneNow = answered.size - resumed
        hooks.onProgress?.(answered.size / questions.length, `question ${answered.size}/${questions.length}`, (elapsed / doneNow) * (todo.length - doneNow))
      }
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw new AppError('CANCELLED', `evaluation cancelled after ${answered.size}/${questions.length} questions; run it again to resume`)
      throw e
    } finally {
      generateS = (performance.now() - tg) / 1000
      sessionRunS = runner.timing.session_run_s
      await runner.close()
    }
  }

  // The answers file in question order is the run's file: imported as plain JSONL, like any answer file.
  const ordered = questions.map((q) => answered.get(q.index)!)
  const finalFile = path.join(dir, 'answers-final.jsonl')
  const body = ordered.map((l) => JSON.stringify(l) + '\n').join('')
  if (!fs.existsSync(finalFile) || fs.readFileSync(finalFile, 'utf8') !== body) {
    const tmp = `${finalFile}.${process.pid}.tmp`
    fs.writeFileSync(tmp, body)
    fs.renameSync(tmp, finalFile)
  }
  const label = req.label ?? `${path.basename(layout.dir)}${layout.variant ? `-${layout.variant}` : ''}${blind ? ' (blind)' : ''}`
  const { runs } = await importEvalFiles(ws, [finalFile], { format: 'jsonl', models: [label] })
  const run = runs[0]!
  const seconds = (performance.now() - t0) / 1000
  const breakdown = breakdownFor(ws, [run.id])
  breakdown.warnings.unshift(...bench.warnings)
  return {
    breakdown,
    run_id: run.id,
    answers: finalFile,
    prompt: { format: settings.prompt_format, post_prompt: POST_PROMPT, chat_template_sha256: settings.chat_template_sha256, example: prompter.render(promptOf(questions[0]!), !blind) },
    settings: { ...settings, batch, ep: epUsed },
    ep: epUsed,
    skipped_eps: skipped,
    questions: { total: questions.length, resumed, answered: questions.length - resumed },
    timing: {
      seconds,
      generate_s: generateS,
      session_run_s: sessionRunS,
      generated_tokens: generatedTokens,
      tokens_per_s: generateS > 0 ? generatedTokens / generateS : null,
      questions_per_min: generateS > 0 ? ((questions.length - resumed) / generateS) * 60 : null,
    },
  }
}
