import { Template } from '@huggingface/jinja'
import { badInput } from '../../common/errors'

/** One message part in the transformers chat format. */
export type ChatPart = { type: 'image' } | { type: 'text'; text: string }
export interface ChatMessage {
  role: 'user' | 'assistant' | 'system'
  content: ChatPart[]
}

/**
 * lmms-eval's `mle_bench` task prompt: the question, the options as "A. ...", one a line, then the
 * post-prompt "Answer with the option's letter from the given choices directly." (the task's
 * `lmms_eval_specific_kwargs.default.post_prompt`, joined with newlines).
 */
export function mleBenchPrompt(question: string, choices: readonly string[]): string {
  const options = choices.map((c, i) => `${String.fromCharCode(65 + i)}. ${c}`).join('\n')
  return `${question}\n${options}\nAnswer with the option's letter from the given choices directly.`
}

/** The user turn lmms-eval builds: the image (left out in blind mode) before the text. */
export function userMessage(text: string, withImage: boolean): ChatMessage[] {
  return [{ role: 'user', content: [...(withImage ? [{ type: 'image' as const }] : []), { type: 'text' as const, text }] }]
}

/**
 * Renders a checkpoint's chat template with @huggingface/jinja (the Jinja implementation transformers.js
 * uses), as `apply_chat_template(messages, add_generation_prompt=True)` does in transformers: the
 * tokenizer's special tokens are variables of the template.
 */
export class ChatTemplate {
  private readonly template: Template
  constructor(
    private readonly source: string,
    private readonly specials: Record<string, string | null>,
    where: string,
  ) {
    try {
      this.template = new Template(source)
    } catch (e) {
      throw badInput(where, `the chat_template does not parse: ${e instanceof Error ? e.message : String(e)}`)
    }
  }

  render(messages: ChatMessage[], where: string): string {
    try {
      return this.template.render({ messages, add_generation_prompt: true, ...this.specials })
    } catch (e) {
      throw badInput(where, `the chat_template failed to render: ${e instanceof Error ? e.message : String(e)}`)
    }
  }

  /** The template's text, stored with each run. */
  get text(): string {
    return this.source
  }
}

/** bos_token, eos_token, pad_token, unk_token of tokenizer_config.json as template variables. */
export function templateSpecials(tokenizerConfig: Record<string, unknown>): Record<string, string | null> {
  const content = (v: unknown): string | null =>
    typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : null
  return Object.fromEntries(['bos_token', 'eos_token', 'pad_token', 'unk_token'].map((k) => [k, content(tokenizerConfig[k])]))
}
