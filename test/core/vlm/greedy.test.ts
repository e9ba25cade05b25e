import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../src-main/common/errors'
import { mleBenchPrompt } from '../../../src-main/core/vlm/chatPrompt'
import { GreedyVlm } from '../../../src-main/core/vlm/greedy'
import { Prompter } from '../../../src-main/core/vlm/prompter'
import { inspectVlm } from '../../../src-main/core/vlm/vlmLayout'
import { FIXTURES, SHAPES } from '../../helpers/fixtures'
import { tmpDir } from '../../helpers/tmp'

// Reference: test/fixtures/vlm/make_tiny_llava.py — prompts rendered with Python's jinja2 and greedy
// generations of the PyTorch modules, recomputing the whole sequence at every step (no cache).
const MODEL = path.join(FIXTURES, 'vlm', 'tiny-llava')
interface Case {
  image: string
  blind: boolean
  prompt: string
  question: string
  choices: string[]
  rendered: string
  input_ids: number[]
  generated: number[]
  /** Top-1 minus top-2 logit of the first generated token (PyTorch, float32). */
  first_margin: number
  /** Greedy tokens of the PyTorch decoder with its weights replaced by their 4-bit dequantised values. */
  generated_q4: number[]
}
const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'vlm', 'reference.json'), 'utf8')) as { cases: Case[]; max_new_tokens: number; pixel_values_0: number[] }

let vlm: GreedyVlm
let prompter: Prompter
beforeAll(async () => {
  const layout = inspectVlm(MODEL)
  prompter = new Prompter(layout)
  vlm = await GreedyVlm.open(layout, 'cpu')
})
afterAll(async () => vlm.close())

const prepare = (c: Case) => prompter.prepare(c.prompt, c.blind ? null : path.join(SHAPES, c.image))

describe('tiny LLaVA against PyTorch', () => {
  it("writes lmms-eval's mle_bench prompt", () => {
    expect(mleBenchPrompt('Is there a cat?', ['yes', 'no'])).toBe("Is there a cat?\nA. yes\nB. no\nAnswer with the option's letter from the given choices directly.")
    for (const c of ref.cases) expect(mleBenchPrompt(c.question, c.choices)).toBe(c.prompt)
  })

  it('renders the chat template and tokenises the prompt as the Python reference does', () => {
    for (const c of ref.cases) {
      const p = prepare(c)
      expect(p.rendered).toBe(c.rendered)
      expect(p.ids).toEqual(c.input_ids)
    }
    const p = prepare(ref.cases[0]!)
    ref.pixel_values_0.forEach((v, i) => expect(p.pixels![i]).toBeCloseTo(v, 5))
  })

  it('generates the same tokens, one prompt at a time, with and without the image', async () => {
    expect(ref.cases.some((c) => c.blind) && ref.cases.some((c) => !c.blind)).toBe(true)
    for (const c of ref.cases) expect(await vlm.generate([prepare(c)], ref.max_new_tokens)).toEqual([c.generated])
  })

  it('batching and left padding do not change a row (mixed lengths, images and blind prompts together)', async () => {
    const all = ref.cases.map(prepare)
    expect(new Set(all.map((p) => p.ids.length)).size).toBeGreaterThan(1)
    expect(await vlm.generate(all, ref.max_new_tokens)).toEqual(ref.cases.map((c) => c.generated))
    expect(await vlm.generate([all[3]!, all[0]!, all[5]!], ref.max_new_tokens)).toEqual([3, 0, 5].map((i) => ref.cases[i]!.generated))
  })

  it('stops at the token limit', async () => {
    const out = await vlm.generate([prepare(ref.cases[0]!)], 3)
    expect(out).toEqual([ref.cases[0]!.generated.slice(0, 3)])
  })
})

describe('the float16 variant (*_fp16.onnx)', () => {
  it('is chosen by --dtype and agrees with float32 PyTorch wherever rounding cannot flip the choice', async () => {
    const layout = inspectVlm(MODEL, 'fp16')
    expect(path.basename(layout.files.decoder_model_merged)).toBe('decoder_model_merged_fp16.onnx')
    const p16 = new Prompter(layout)
    const v16 = await GreedyVlm.open(layout, 'cpu')
    try {
      const out = await v16.generate(ref.cases.map((c) => p16.prepare(c.prompt, c.blind ? null : path.join(SHAPES, c.image))), ref.max_new_tokens)
      // float16 logits of these magnitudes are off by ~1e-3; a first token whose lead over the runner-up
      // is above 0.02 must be the same one.
      const clear = ref.cases.map((c, i) => ({ c, i })).filter(({ c }) => c.first_margin > 0.02)
      expect(clear.length).toBeGreaterThan(3)
      for (const { c, i } of clear) expect(out[i]![0]).toBe(c.generated[0])
    } finally {
      await v16.close()
    }
  })
})

describe('the 4-bit variant (*_q4.onnx, MatMulNBits)', () => {
  it('generates what PyTorch does with the same 4-bit dequantised weights, token by token', async () => {
    const layout = inspectVlm(MODEL, 'q4')
    expect(path.basename(layout.files.decoder_model_merged)).toBe('decoder_model_merged_q4.onnx')
    const pq = new Prompter(layout)
    const vq = await GreedyVlm.open(layout, 'cpu')
    try {
      const out = await vq.generate(ref.cases.map((c) => pq.prepare(c.prompt, c.blind ? null : path.join(SHAPES, c.image))), ref.max_new_tokens)
      expect(out).toEqual(ref.cases.map((c) => c.generated_q4))
      // Quantisation changes the answers of these random weights, so the check is not the float32 one again.
      expect(ref.cases.some((c) => c.generated_q4.join() !== c.generated.join())).toBe(true)
    } finally {
      await vq.close()
    }
  })
})

describe('layouts it cannot run are named', () => {
  const t = tmpDir('pl-vlm-')
  afterAll(() => t.cleanup())
  const variant = (name: string, edit: (dir: string) => void): string => {
    const dir = path.join(t.dir, name)
    fs.cpSync(MODEL, dir, { recursive: true })
    edit(dir)
    return dir
  }
  const message = (dir: string): string => {
    try {
      inspectVlm(dir)
    } catch (e) {
      if (isAppError(e) && e.code === 'BAD_INPUT') return e.message
      throw e
    }
    throw new Error('expected BAD_INPUT')
  }
  const editJson = (file: string, f: (j: Record<string, unknown>) => void): void => {
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
    f(j)
    fs.writeFileSync(file, JSON.stringify(j))
  }

  it('refuses tiling and dynamic resolution by name', () => {
    const anyres = variant('anyres', (d) => editJson(path.join(d, 'config.json'), (j) => (j.image_grid_pinpoints = [[336, 672]])))
    expect(message(anyres)).toMatch(/config\.json: unsupported image handling: image_grid_pinpoints/)
    const qwen = variant('qwen', (d) => editJson(path.join(d, 'config.json'), (j) => (j.model_type = 'qwen2_vl')))
    expect(message(qwen)).toMatch(/qwen2_vl dynamic resolution/)
    const split = variant('split', (d) => editJson(path.join(d, 'preprocessor_config.json'), (j) => (j.do_image_splitting = true)))
    expect(message(split)).toMatch(/image splitting/)
  })

  it('names a missing part, a missing chat template and a missing image token id', () => {
    const onlyFp16 = variant('only16', (d) => fs.rmSync(path.join(d, 'onnx', 'decoder_model_merged.onnx')))
    expect(inspectVlm(onlyFp16).variant).toBe('fp16')
    expect(() => inspectVlm(onlyFp16, '')).toThrow(/float32 variant is incomplete: missing onnx.decoder_model_merged\.onnx/)
    const noDecoder = variant('nodec', (d) => {
      fs.rmSync(path.join(d, 'onnx', 'decoder_model_merged.onnx'))
      fs.rmSync(path.join(d, 'onnx', 'decoder_model_merged_fp16.onnx'))
      fs.rmSync(path.join(d, 'onnx', 'decoder_model_merged_q4.onnx'))
    })
    expect(message(noDecoder)).toMatch(/not a LLaVA-style vision-language export: expected .*decoder_model_merged\.onnx/)
    const noTemplate = variant('notmpl', (d) => editJson(path.join(d, 'tokenizer_config.json'), (j) => delete j.chat_template))
    expect(message(noTemplate)).toMatch(/no chat_template/)
    const noImageToken = variant('noimg', (d) => editJson(path.join(d, 'config.json'), (j) => delete j.image_token_index))
    expect(message(noImageToken)).toMatch(/no image_token_index/)
  })
})
