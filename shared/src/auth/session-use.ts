/**
 * Records when each session was last used (`sessions.last_used_at`), which the owner's session
 * list shows. The session guard reports every authenticated request; writing a row per request
 * would cost more than the request itself, so a session's use is written at most once per
 * SESSION_USE_INTERVAL_MS, and the uses reported together are written by one statement, after
 * the request has been answered. A failed write is logged and never fails the request: the
 * column is informative, and the next use after the interval writes it again.
 */
import type pg from 'pg';
import { GroupBatcher } from '../group-batcher.js';
import type { Logger } from '../logger.js';

/**
 * How stale `last_used_at` may be. Fine enough for "active 3 minutes ago" in a session list,
 * coarse enough that a busy session costs one write per five minutes, not one per request.
 */
export const SESSION_USE_INTERVAL_MS = 5 * 60_000;
/** How long reported uses wait for company, so a burst of sessions costs one UPDATE. */
const SESSION_USE_FLUSH_DELAY_MS = 1_000;
/** Most sessions written by one statement. */
const MAX_SESSION_USE_BATCH = 1_000;
/**
 * Bound on the sessions remembered as recently written (one entry per session used in the last
 * interval); past it the oldest are forgotten, which costs at most an early write.
 */
const MAX_REMEMBERED_USES = 100_000;

export interface SessionUseRecorderOptions {
  pool: pg.Pool;
  logger: Logger;
  /** SESSION_USE_INTERVAL_MS unless a test needs another. */
  intervalMs?: number;
  /** Reads the clock; tests pass their own to cross the interval without waiting. */
  now?: () => number;
}

export class SessionUseRecorder {
  /**
   * Session id → when its use was last sent for writing. Kept in the order of that time (an
   * entry is deleted before it is set again), so the stale entries are always the first ones.
   */
  private readonly lastWrittenAtMs = new Map<string, number>();
  private readonly writes: GroupBatcher<string, void>;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SessionUseRecorderOptions) {
    this.intervalMs = options.intervalMs ?? SESSION_USE_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.writes = new GroupBatcher({
      run: (ids) => this.write(ids),
      maxBatch: MAX_SESSION_USE_BATCH,
      lingerMs: SESSION_USE_FLUSH_DELAY_MS,
    });
  }

  /** Notes that `sessionId` was used now; returns at once, the write happens later (or not at all). */
  record(sessionId: string): void {
    const now = this.now();
    const last = this.lastWrittenAtMs.get(sessionId);
    if (last !== undefined && now - last < this.intervalMs) return;
    this.forgetStale(now);
    this.lastWrittenAtMs.delete(sessionId);
    this.lastWrittenAtMs.set(sessionId, now);
    void this.writes.submit(sessionId);
  }

  /** Resolves once every use recorded so far has been written (or failed to be). */
  flush(): Promise<void> {
    return this.writes.drain();
  }

  private forgetStale(now: number): void {
    for (const [sessionId, writtenAtMs] of this.lastWrittenAtMs) {
      if (now - writtenAtMs < this.intervalMs && this.lastWrittenAtMs.size < MAX_REMEMBERED_USES) return;
      this.lastWrittenAtMs.delete(sessionId);
    }
  }

  private async write(sessionIds: string[]): Promise<void[]> {
    try {
      await this.options.pool.query({
        name: 'murmur_sessions_used',
        text: 'UPDATE sessions SET last_used_at = now() WHERE id = ANY($1::uuid[])',
        values: [sessionIds],
      });
    } catch (err) {
      this.options.logger.warn({ err, sessions: sessionIds.length }, 'could not record when sessions were last used');
    }
    return sessionIds.map(() => undefined);
  }
}
