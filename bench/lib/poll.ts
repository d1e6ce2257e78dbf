/** Waiting for work that happens in the background, e.g. a job that a request enqueued. */
import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** What is waited for, in the error when it does not happen. */
  what: string;
  /** Pause between checks. */
  intervalMs: number;
  /** Give up after this long, counted from `since`. */
  deadlineMs: number;
  /** When the wait began, from performance.now(); by default, now. */
  since?: number;
}

/** The deadline passed before the awaited work was done. */
export class PollTimeout extends Error {}

/**
 * Checks `done` every `intervalMs` until it is true; resolves the ms from `since` to the check
 * that saw it (so the figure is late by at most one interval). Rejects with PollTimeout after the deadline.
 */
export async function waitUntil(done: () => Promise<boolean>, options: PollOptions): Promise<number> {
  const since = options.since ?? performance.now();
  for (;;) {
    if (await done()) return performance.now() - since;
    if (performance.now() - since > options.deadlineMs) throw new PollTimeout(`${options.what}: not done after ${options.deadlineMs} ms`);
    await sleep(options.intervalMs);
  }
}
