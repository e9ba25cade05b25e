import fs from 'node:fs'
import type { TextEncoder } from '../data/text'
import { requiredPaddingSide } from '../onnx/decoderInputs'
import type { ModelInfo } from '../onnx/modelInfo'
import type { ArrayStore } from '../store/arrays'
import { imageFitOf } from './imageFit'
import type { PrepItem, PrepSpec } from './prepare'
import { launchPreparer, openPreparer, type BatchPreparer, type PreparerLaunch } from './preparer'

/** Weights below this size make a "small" model, whose batches run fast enough for preparation to matter. */
const SMALL_MODEL_BYTES = 64 * 2 ** 20

/**
 * Where batches are prepared and how many threads the session gets. The worker thread overlaps
 * decoding, preprocessing, tokenising and cache writes with session.run. Only small models give it a
 * core of their own: for them preparation is a large share of the work, and the worker raises their
 * throughput (`npm run bench -- --only extract`; figures in the README). For a large model a batch takes
 * far longer to run than to prepare, so the worker's brief bursts cost less than a lost core and the
 * session keeps every core.
 * Short jobs (under 8 batches) stay inline; PLATONIC_LAB_PREP_WORKER=0 or 1 (or `requested`) decides.
 */
export function preparationPlan(info: ModelInfo, cores: number, batches: number, requested?: boolean): { worker: boolean; threads: number | null } {
  const env = process.env.PLATONIC_LAB_PREP_WORKER
  const worker = requested ?? (env === '0' ? false : env === '1' ? cores >= 2 : cores >= 2 && batches >= 8)
  if (!worker) return { worker, threads: null }
  let bytes = 0
  for (const f of info.weightFiles) {
    try {
      bytes += fs.statSync(f).size
    } catch {
      // missing files are reported when the session is created
    }
  }
  return { worker, threads: bytes < SMALL_MODEL_BYTES ? Math.max(1, cores - 1) : null }
}

/** What batch preparation needs to know about the model (plain data, sent to the worker). */
function prepSpec(info: ModelInfo): PrepSpec {
  if (info.modality === 'vision') return { kind: 'image', input: info.imageInput!, image: info.image!, fit: imageFitOf(info) }
  const t = info.tokenizer!
  return { kind: 'text', tokenizerJson: t.json, tokenizerConfig: t.config, positionLimit: info.positionLimit ?? null, inputNames: info.inputs.map((i) => i.name), decoder: info.decoder, paddingSide: requiredPaddingSide(info.inputs.map((i) => i.name)) }
}

/**
 * The batch preparer of one extraction. A preparation worker, if the job will want one, starts as soon
 * as the item count is known (`launch`), so it boots while the dataset's images are checked and hashed
 * and the session is created, and prepares the first batches meanwhile: started later, its cold start
 * held up the first batches of a vit-tiny job in the built job host. `open` hands it over (or starts
 * one, or prepares inline); a cache hit, an error or a resumed job too short for a worker stops it
 * unused (`cancel`).
 */
export class ExtractPreparation {
  private launched: PreparerLaunch | null = null

  constructor(
    private readonly cores: number,
    private readonly arrays: ArrayStore,
  ) {}

  /** Starts the worker now if a job of `batches` batches will want one. */
  launch(info: ModelInfo, batches: number, requested?: boolean): void {
    if (info.modality !== 'unknown' && preparationPlan(info, this.cores, batches, requested).worker) this.launched = launchPreparer(prepSpec(info), this.arrays.root)
  }

  /**
   * The preparer for `items` when `batches` are to be done, and the session's intra-op threads (null:
   * onnxruntime's default). The caller owns (closes) it from here.
   */
  open(info: ModelInfo, batches: number, requested: boolean | undefined, items: readonly PrepItem[], enc: TextEncoder | null): { preparer: BatchPreparer; threads: number | null } {
    const plan = preparationPlan(info, this.cores, batches, requested)
    if (!plan.worker) return { preparer: openPreparer(prepSpec(info), items, false, this.arrays, enc), threads: plan.threads }
    const launch = this.launched ?? launchPreparer(prepSpec(info), this.arrays.root)
    this.launched = null
    return { preparer: launch.begin(items, this.arrays, enc), threads: plan.threads }
  }

  /** Stops a worker that was launched but not handed over. */
  cancel(): void {
    this.launched?.cancel()
    this.launched = null
  }
}
