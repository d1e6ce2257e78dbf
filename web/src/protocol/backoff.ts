/**
 * Reconnect delays: exponential with full jitter (AWS's "exponential backoff and jitter"), so a
 * server restart does not bring every client back in the same millisecond.
 */
export interface BackoffOptions {
  /** First delay's upper bound. */
  baseMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** A number in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 15_000 };

/** The delay before reconnect attempt `attempt` (0 for the first). */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 20));
  const random = options.random ?? Math.random;
  // Never zero: a tight loop against a refusing server helps nobody.
  return Math.max(options.baseMs / 4, Math.round(ceiling * random()));
}
