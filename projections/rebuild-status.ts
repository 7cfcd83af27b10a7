// What /health and a 503's Retry-After say about a rebuild; kept in memory, so asking never waits on the database.

export interface RebuildStatus {
  /** 'running' (in this process), 'completed' or 'failed' (the last one here), 'idle' (none since start). */
  state: 'idle' | 'running' | 'completed' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
  /** Events applied so far, of `total` (the store's size when the rebuild began). */
  done: number;
  total: number;
  /** Estimated from the rate so far; null until the first batch is in. */
  secondsLeft: number | null;
  /** Why the last rebuild failed (state 'failed'). */
  error: string | null;
}

/** How long a client waits when nothing better is known (StoreUnavailableError's default). */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Time left at the rate so far; null before any progress (a rate cannot be known yet). */
export function estimateSecondsLeft(elapsedSeconds: number, done: number, total: number): number | null {
  if (done <= 0) return null;
  return Math.ceil((Math.max(elapsedSeconds, 0) * Math.max(total - done, 0)) / done);
}

/** Retry-After for a caller refused during a rebuild: the estimate, at least 1 s, at most an hour. */
export const retryAfterFor = (secondsLeft: number | null): number => (secondsLeft === null ? DEFAULT_RETRY_AFTER_SECONDS : Math.min(Math.max(secondsLeft, 1), 3600));
