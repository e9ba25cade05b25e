import fs from 'node:fs'
import path from 'node:path'
import { badInput } from '../../common/errors'
import { EP_CHOICES } from '../../core/onnx/ep'
import { evaluateVlm, type EvaluateResult } from '../../core/vlm/evaluate'
import { VLM_VARIANTS, type VlmVariant } from '../../core/vlm/vlmLayout'
import { flagChoice, flagNumber } from '../args'
import type { Command } from '../command'
import { mleJson, mleText } from './mle'

const USAGE = `Usage: platonic-lab evaluate --model DIR --benchmark DIR [options]

Answers a multiple-choice benchmark (a local MLE-Bench copy: data.jsonl + images/) with a LLaVA-style
ONNX vision-language checkpoint (transformers.js layout: onnx/vision_encoder.onnx, embed_tokens.onnx,
decoder_model_merged.onnx), greedy decoding, offline. Prompts are lmms-eval's mle_bench prompts in the
model's chat template; answers are parsed as for \`mle\` and stored as an evaluation run (resumable: an
interrupted run continues where it stopped).

Options:
  --blind                  ask without the image (language priors alone)
  --limit N                only the first N questions
  --batch B                questions generated together (default 1)
  --ep auto|cpu|cuda|dml|coreml|webgpu   execution provider (default auto)
  --max-new-tokens N       token limit per answer (default 16, as lmms-eval's mle_bench)
  --dtype fp16|q4|...      precision variant of the graphs (default: float32 if present)
  --label NAME             the run's model name in the views
  --out FILE.jsonl         also write one JSON line per question (plain JSONL that \`mle\` imports)
  --force                  let --out replace an existing file`

function text(r: EvaluateResult): string {
  return [
    mleText(r.breakdown),
    `run ${r.run_id}: ${r.questions.total} questions (${r.questions.resumed} resumed), ${r.timing.generated_tokens} tokens, ${r.timing.tokens_per_s ? `${r.timing.tokens_per_s.toFixed(1)} tokens/s` : 'nothing generated'}, ep ${r.ep}`,
    `answers ${r.answers}${r.out ? `, written to ${r.out}` : ''}`,
  ].join('\n')
}

export const command: Command = {
  name: 'evaluate',
  summary: 'answer MLE-Bench (or any multiple-choice set) with a local vision-language model',
  usage: USAGE,
  flags: ['model', 'benchmark', 'limit', 'batch', 'ep', 'max-new-tokens', 'dtype', 'label', 'out'],
  booleanFlags: ['blind', 'force'],
  async run(ctx) {
    const { flags } = ctx.args
    if (typeof flags.model !== 'string' || !flags.model) throw badInput('--model', 'expected a vision-language model folder')
    if (typeof flags.benchmark !== 'string' || !flags.benchmark) throw badInput('--benchmark', 'expected a benchmark folder with data.jsonl and images/')
    if (ctx.args.positional.length) throw badInput('evaluate', `unexpected argument ${ctx.args.positional[0]}`)
    const out = typeof flags.out === 'string' ? path.resolve(flags.out) : undefined
    if (flags.out === true) throw badInput('--out', 'expected a .jsonl file name')
    if (out) {
      if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw badInput(out, 'is a directory; --out takes a file name')
      if (fs.existsSync(out) && flags.force !== true) throw badInput(out, 'already exists; pass --force to replace it')
      if (!fs.existsSync(path.dirname(out))) throw badInput(out, 'its folder does not exist')
    }
    const dtype = flags.dtype === undefined ? undefined : flagChoice(ctx.args, 'dtype', VLM_VARIANTS.filter(Boolean) as VlmVariant[], 'fp16')
    const r = await evaluateVlm(
      ctx.workspace(),
      {
        modelPath: flags.model,
        benchmarkPath: flags.benchmark,
        blind: flags.blind === true,
        limit: flags.limit === undefined ? undefined : flagNumber(ctx.args, 'limit', 0, { int: true, min: 1 }),
        batch: flagNumber(ctx.args, 'batch', 1, { int: true, min: 1, max: 256 }),
        ep: flagChoice(ctx.args, 'ep', EP_CHOICES, 'auto'),
        maxNewTokens: flagNumber(ctx.args, 'max-new-tokens', 16, { int: true, min: 1, max: 4096 }),
        dtype,
        label: typeof flags.label === 'string' ? flags.label : undefined,
      },
      { signal: ctx.signal, onProgress: (f, msg, eta) => ctx.progress(f, eta !== null && eta > 0 ? `${msg}, ETA ${Math.ceil(eta)} s` : msg) },
    )
    if (out) {
      // Beside the target, then renamed: a kill never leaves a half-written or emptied file.
      const tmp = `${out}.${process.pid}.partial`
      try {
        fs.copyFileSync(r.answers, tmp)
        fs.renameSync(tmp, out)
      } catch (e) {
        fs.rmSync(tmp, { force: true })
        throw badInput(out, `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
      }
      r.out = out
    }
    const json = { ...(mleJson(r.breakdown) as Record<string, unknown>), run_id: r.run_id, prompt: r.prompt, settings: r.settings, timing: r.timing, questions: r.questions, ep: r.ep, skipped_eps: r.skipped_eps, answers: r.answers, ...(r.out ? { out: r.out } : {}) }
    return { json, text: text(r) }
  },
}
