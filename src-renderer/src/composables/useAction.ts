import { computed, ref, type Ref } from 'vue'

/** The message to show for a failed call: an Error's message, or the thrown value as text. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export interface Action {
  /** True while a run is going on: disable the form's controls, change the button's label. */
  busy: Readonly<Ref<boolean>>
  /** The label of the run going on, where one action drives several buttons (null when idle). */
  running: Readonly<Ref<string | null>>
  /** The last failure's message, shown next to the form until the next run starts. */
  error: Ref<string | null>
  /** The sentence the last successful run returned (what happened), cleared when the next run starts. */
  message: Ref<string | null>
  /**
   * Runs `fn` unless a run is already going on (a second click while busy does nothing). A string it
   * returns becomes `message`; anything it throws becomes `error`. True when it succeeded; never throws.
   */
  run(fn: () => Promise<string | void>, label?: string): Promise<boolean>
}

/** A form's or button's async action: one busy flag, one error and one success message per form. */
export function useAction(): Action {
  const running = ref<string | null>(null)
  const error = ref<string | null>(null)
  const message = ref<string | null>(null)
  async function run(fn: () => Promise<string | void>, label = 'run'): Promise<boolean> {
    if (running.value !== null) return false
    running.value = label
    error.value = null
    message.value = null
    try {
      const said = await fn()
      if (typeof said === 'string') message.value = said
      return true
    } catch (e) {
      error.value = errorText(e)
      return false
    } finally {
      running.value = null
    }
  }
  return { busy: computed(() => running.value !== null), running, error, message, run }
}
