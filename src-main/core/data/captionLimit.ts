/**
 * Longest caption kept, in UTF-16 code units; longer ones are cut to this (the dataset loader warns,
 * naming the item). Tokenisers keep only the first `model_max_length` tokens (a few thousand at most),
 * which 65,536 characters always cover, so the cut changes no features; it keeps a 500 MB caption
 * from costing gigabytes in the tokeniser.
 */
export const MAX_CAPTION_CHARS = 65536

/** The first `MAX_CAPTION_CHARS` code units of `s`, without a dangling half of a surrogate pair. */
export function cutCaption(s: string): string {
  if (s.length <= MAX_CAPTION_CHARS) return s
  const head = s.slice(0, MAX_CAPTION_CHARS)
  const last = head.charCodeAt(head.length - 1)
  return last >= 0xd800 && last <= 0xdbff ? head.slice(0, -1) : head
}
