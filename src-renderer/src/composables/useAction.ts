import { ref, type Ref } from 'vue'

/** The message to show for a failed call: an Error's message, or the thrown value as text. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * A form's or button's async action: `busy` while it runs (to disable the control and change its
 * label), `error` holding the failure's message until the next run. `run` never throws.
 */
export function useAction(): { busy: Ref<boolean>; error: Ref<string | null>; run: (fn: () => Promise<void>) => Promise<void> } {
  const busy = ref(false)
  const error = ref<string | null>(null)
  async function run(fn: () => Promise<void>): Promise<void> {
    busy.value = true
    error.value = null
    try {
      await fn()
    } catch (e) {
      error.value = errorText(e)
    } finally {
      busy.value = false
    }
  }
  return { busy, error, run }
}
