import { reactive } from 'vue'
import { api } from '../../api'

export interface Thumb {
  dataUrl: string | null
  caption: string | null
}

/**
 * Item thumbnails by dataset and index, fetched once and kept for the session. ECharts' tooltip
 * formatter cannot await, so hover starts a fetch and the formatter / side panel read this cache.
 */
const cache = reactive(new Map<string, Thumb>())
const pending = new Map<string, Promise<Thumb | null>>()

const keyOf = (datasetId: string, index: number): string => `${datasetId}#${index}`

export function cachedThumb(datasetId: string, index: number): Thumb | undefined {
  return cache.get(keyOf(datasetId, index))
}

/** Resolves to null when the item has no image or the call fails (a hover must never raise an error bar). */
export function loadThumb(datasetId: string, index: number): Promise<Thumb | null> {
  const key = keyOf(datasetId, index)
  const hit = cache.get(key)
  if (hit) return Promise.resolve(hit)
  let p = pending.get(key)
  if (!p) {
    p = api.call('maps.thumbnail', { datasetId, index }).then(
      (t) => {
        cache.set(key, t)
        pending.delete(key)
        return t
      },
      () => {
        pending.delete(key)
        return null
      },
    )
    pending.set(key, p)
  }
  return p
}
