import { evaluateVlm } from '../core/vlm/evaluate'
import type { JobFn } from './context'

/** Answers a benchmark with a local vision-language model (resumable) and stores the run for the MLE-Bench view. */
export const evaluateJob: JobFn<'evaluate'> = async ({ ws, params: p, progress, signal }) => {
  const r = await evaluateVlm(ws, p, { onProgress: (f, msg) => progress(f, msg), signal })
  return { run_id: r.run_id, model: r.breakdown.models[0]?.name ?? null, questions: r.questions, timing: r.timing, ep: r.ep }
}
