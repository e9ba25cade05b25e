import { onScopeDispose, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import type { ApiClient } from '../../../src-main/common/client'
import type { InputOf, MethodName, ResultOf } from '../../../src-main/common/api'
import type { WorkspaceArea } from '../../../src-main/common/contract/registry'
import { newestRequest } from './newestRequest'
import { errorText } from './useAction'

export interface ApiQuery<T> {
  /** The reply to the newest request; null before it arrives, after a failure, and while args are null. */
  data: ShallowRef<T | null>
  error: Ref<string | null>
  /** True while the newest request is unanswered. */
  loading: Ref<boolean>
  /** True once a newest request has been answered (or there was nothing to ask): "empty" can be told from "not yet". */
  loaded: Ref<boolean>
  /** Asks again now (after the view's own change); resolves when this request has settled. */
  reload(): Promise<void>
}

/** Where a query gets its answers and learns that stored results changed (useBackend's revision counters). */
export interface QuerySource {
  call: ApiClient['call']
  revision: Readonly<Record<WorkspaceArea, number>>
}

export interface QueryOptions {
  /** After a change of the arguments or results, wait this long for more before asking (the first load is not delayed). */
  debounceMs?: number
  /**
   * Forget the shown data as soon as the arguments change (another model, another record), rather than
   * keeping it until the new reply arrives; a reload for a workspace change keeps it either way.
   */
  clearOnChange?: boolean
}

/**
 * Loads `method(args())` and loads it again whenever the arguments change (compared by value) or a
 * named workspace area changes. `args` returning null means "nothing to ask" (data null, no error).
 * Replies can arrive out of order; only the reply to the newest request is kept, the others are
 * dropped. Must be called in a component's setup or an effect scope, which stops it.
 */
export function createApiQuery<M extends MethodName>(
  source: QuerySource,
  method: M,
  args: () => InputOf<M> | null,
  areas: readonly WorkspaceArea[],
  options: QueryOptions = {},
): ApiQuery<ResultOf<M>> {
  // shallowRef<T>() does not resolve its overloads for a generic T; the cast only names the type.
  const data = shallowRef(null) as ShallowRef<ResultOf<M> | null>
  const error = ref<string | null>(null)
  const loading = ref(false)
  const loaded = ref(false)
  const requests = newestRequest()
  let timer: ReturnType<typeof setTimeout> | undefined

  async function load(a: InputOf<M> | null): Promise<void> {
    clearTimeout(timer)
    const current = requests.begin()
    if (a === null) {
      data.value = null
      error.value = null
      loading.value = false
      loaded.value = true
      return
    }
    loading.value = true
    try {
      const r = await source.call(method, a)
      if (!current()) return
      data.value = r
      error.value = null
    } catch (e) {
      if (!current()) return
      data.value = null
      error.value = errorText(e)
    } finally {
      if (current()) {
        loading.value = false
        loaded.value = true
      }
    }
  }

  let first = true
  let asked: string | undefined
  watch(
    () => JSON.stringify([args(), areas.map((a) => source.revision[a])]),
    () => {
      const a = args()
      const key = JSON.stringify(a)
      if (options.clearOnChange && asked !== undefined && key !== asked) {
        data.value = null
        error.value = null
      }
      asked = key
      if (first || !options.debounceMs) void load(a)
      else {
        clearTimeout(timer)
        timer = setTimeout(() => void load(args()), options.debounceMs)
      }
      first = false
    },
    { immediate: true },
  )
  onScopeDispose(() => {
    clearTimeout(timer)
    requests.forget()
  })
  return { data, error, loading, loaded, reload: () => load(args()) }
}
