import fs from 'node:fs'
import path from 'node:path'
import { badInput } from '../../common/errors'
import { checkJsonDepth, readUserLines } from '../data/userText'

/** One multiple-choice question of a local benchmark copy. */
export interface BenchmarkQuestion {
  /** Row index in data.jsonl (0-based): the join key of every answer file. */
  index: number
  id: string
  question: string
  choices: string[]
  /** The correct option, as given (its text or its letter). */
  answer: string
  subTask: string
  /** Absolute path of the image, confined to the benchmark folder. */
  image: string
}

export interface Benchmark {
  dir: string
  dataFile: string
  questions: BenchmarkQuestion[]
  /** Lines with invalid UTF-8 (read with U+FFFD in place of the bad bytes). */
  warnings: string[]
}

const IMAGE_EXT = ['.png', '.jpg', '.jpeg']
/** A data.jsonl line longer than this is not a question (and would only cost memory). */
const MAX_LINE = 1 << 20

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/**
 * Reads a local copy of MLE-Bench as released (`data.jsonl` + `images/`), or any multiple-choice set in
 * the same shape: one JSON object a line with `question`, `choices` (list of option texts), `answer`
 * (the correct option's text or letter) and `sub_task` (the size bin, e.g. `existence_0-30`, or any
 * category), and the image as `image`/`image_path`/`file_name` relative to the folder or to `images/`,
 * else `images/<id>.<png|jpg>` or `images/<row index>.<png|jpg>`. Images must stay inside the folder.
 * Nothing is ever downloaded.
 */
export function readBenchmark(dir: string): Benchmark {
  const abs = path.resolve(dir)
  let st: fs.Stats
  try {
    st = fs.statSync(abs)
  } catch {
    throw badInput(abs, 'benchmark folder not found')
  }
  const root = st.isDirectory() ? abs : path.dirname(abs)
  const dataFile = st.isDirectory() ? path.join(abs, 'data.jsonl') : abs
  if (!fs.existsSync(dataFile)) throw badInput(abs, 'no data.jsonl in the benchmark folder (one question a line: question, choices, answer, sub_task, image)')
  const realRoot = fs.realpathSync(root)
  const imagesDir = path.join(root, 'images')
  const questions: BenchmarkQuestion[] = []
  // Read in chunks, a line at a time, bounded in length, with invalid UTF-8 reported per line.
  const { lines, warnings } = readUserLines(dataFile, { what: 'a benchmark data.jsonl', maxLineBytes: MAX_LINE })
  lines.forEach(({ text: line, line: n }) => {
    const where = `${dataFile}:${n}`
    let rec: Record<string, unknown>
    checkJsonDepth(where, line)
    try {
      const v = JSON.parse(line) as unknown
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object')
      rec = v as Record<string, unknown>
    } catch (e) {
      throw badInput(where, `not a JSON object (${e instanceof Error ? e.message : String(e)})`)
    }
    const index = questions.length
    const question = rec.question
    if (typeof question !== 'string' || !question.trim()) throw badInput(where, 'has no "question" text')
    const choices = rec.choices ?? rec.options
    if (!Array.isArray(choices) || choices.length < 2 || choices.length > 26 || !choices.every((c) => typeof c === 'string')) {
      throw badInput(where, '"choices" must be a list of 2 to 26 option texts')
    }
    const answer = rec.answer
    if (typeof answer !== 'string' || !answer.trim()) throw badInput(where, 'has no "answer" (the correct option\'s text or letter)')
    const subTask = typeof rec.sub_task === 'string' ? rec.sub_task : typeof rec.category === 'string' ? rec.category : ''
    const id = typeof rec.id === 'string' || typeof rec.id === 'number' ? String(rec.id) : typeof rec.question_id === 'string' || typeof rec.question_id === 'number' ? String(rec.question_id) : String(index)
    const named = [rec.image, rec.image_path, rec.file_name].find((v) => typeof v === 'string' && v) as string | undefined
    const candidates = named
      ? [path.resolve(root, named), path.resolve(imagesDir, named)]
      : [id, String(index)].flatMap((stem) => IMAGE_EXT.map((e) => path.join(imagesDir, `${stem}${e}`)))
    const image = candidates.find((c) => inside(root, c) && fs.existsSync(c))
    if (!image) throw badInput(where, named ? `image ${JSON.stringify(named)} not found in ${root} or its images/ folder` : `no image: give "image" (a path in the folder) or put images/${id}.png there`)
    let real: string
    try {
      real = fs.realpathSync(image)
    } catch {
      throw badInput(where, `image ${image} cannot be resolved`)
    }
    if (!inside(realRoot, real)) throw badInput(where, `image ${JSON.stringify(named ?? image)} leaves the benchmark folder`)
    if (!fs.statSync(real).isFile()) throw badInput(where, `image ${image} is not a regular file`)
    questions.push({ index, id, question, choices: choices as string[], answer, subTask, image })
  })
  if (questions.length === 0) throw badInput(dataFile, 'has no questions')
  return { dir: root, dataFile, questions, warnings }
}
