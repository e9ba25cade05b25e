import { Tokenizer } from '@huggingface/tokenizers'
import fs from 'node:fs'
import { badInput } from '../../common/errors'
import { decodeImage } from '../data/image'
import { outputSize, preprocessInto } from '../data/imageProcessor'
import { ChatTemplate, templateSpecials, userMessage } from './chatPrompt'
import type { GenerationRequest } from './greedy'
import type { VlmLayout } from './vlmLayout'

/** A question as the model sees it: the rendered chat prompt, its token ids and the image's pixels. */
export interface PreparedPrompt extends GenerationRequest {
  rendered: string
}

/**
 * Turns a user turn (text, and an image unless blind) into the decoder's input as transformers'
 * processors do: chat template rendered, tokenised without adding special tokens again (the template
 * writes them), the image through the checkpoint's image processor.
 */
export class Prompter {
  readonly template: ChatTemplate
  private readonly tokenizer: Tokenizer

  constructor(private readonly layout: VlmLayout) {
    this.template = new ChatTemplate(layout.chatTemplate, templateSpecials(layout.tokenizerConfig), layout.tokenizerJson)
    let tok: unknown
    try {
      tok = JSON.parse(fs.readFileSync(layout.tokenizerJson, 'utf8'))
    } catch (e) {
      throw badInput(layout.tokenizerJson, `cannot read the tokenizer (${e instanceof Error ? e.message : String(e)})`)
    }
    try {
      this.tokenizer = new Tokenizer(tok as Record<string, unknown>, layout.tokenizerConfig)
    } catch (e) {
      throw badInput(layout.tokenizerJson, `cannot load the tokenizer (${e instanceof Error ? e.message : String(e)})`)
    }
  }

  render(text: string, withImage: boolean): string {
    return this.template.render(userMessage(text, withImage), this.layout.tokenizerJson)
  }

  encode(rendered: string): number[] {
    return this.tokenizer.encode(rendered, { add_special_tokens: false }).ids
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true })
  }

  prepare(text: string, image: string | null): PreparedPrompt {
    const rendered = this.render(text, image !== null)
    const ids = this.encode(rendered)
    if (!image) return { rendered, ids, pixels: null, size: null }
    const img = decodeImage(image)
    const [h, w] = outputSize(this.layout.image, img.width, img.height)
    const pixels = new Float32Array(3 * h * w)
    preprocessInto(img, this.layout.image, pixels, 0)
    return { rendered, ids, pixels, size: [h, w] }
  }
}
