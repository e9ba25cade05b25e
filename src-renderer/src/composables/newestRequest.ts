/**
 * The renderer's one stale-reply guard. Replies can arrive out of order (a slow query, a busy backend);
 * `begin()` marks a new request and returns a check that holds only while no later request has begun,
 * so the reply to an older question is dropped instead of overwriting a newer answer.
 */
export interface NewestRequest {
  begin(): () => boolean
  /** Makes every request begun so far stale (the view is gone). */
  forget(): void
}

export function newestRequest(): NewestRequest {
  let newest = 0
  return {
    begin() {
      const mine = ++newest
      return () => mine === newest
    },
    forget() {
      newest++
    },
  }
}
