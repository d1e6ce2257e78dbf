/**
 * Keeps storage and the media table in step, on every instance at once: removes uploads nothing
 * will use (unattached past MEDIA_UNATTACHED_TTL_HOURS, or abandoned half-way), and removes from
 * storage the files that the media table's trigger queued when their rows went. Expired rows are
 * shared between instances (`FOR UPDATE SKIP LOCKED`); a queued file another sweep holds is waited
 * for (media.repo.ts says why), in batches of SWEEP_BATCH whose storage calls are bounded by the
 * store's own timeouts.
 */
import { inTransaction, type Db } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';
import { deleteExpiredMedia, forgetFileDeletions, lockQueuedFileDeletions, postponeFileDeletions, type SweepAges } from './media.repo.js';
import type { MediaStorage } from './storage.js';

/** Rows one statement of a sweep handles; a sweep goes on while batches come back full. */
const SWEEP_BATCH = 50;
/** Removals failing in a row after which storage is taken for unavailable, and the sweep stops. */
const MAX_FAILURES_IN_A_ROW = 3;
/**
 * How long a queued file that storage does not have stays queued before it is forgotten. It may
 * be another store's (instances moving from one store to another share the queue for a while),
 * or it was never written (an upload that failed half-way).
 */
const MISSING_FILE_GRACE_SECONDS = 24 * 60 * 60;

interface BatchOutcome {
  /** Queued files the batch locked. */
  locked: number;
  /** Whether it stopped early, storage failing file after file. */
  stopped: boolean;
}

export class MediaSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly storage: MediaStorage,
    private readonly ages: SweepAges,
    private readonly logger: Logger,
  ) {}

  /** Sweeps every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sweep().catch((err: unknown) => this.logger.warn({ err }, 'media sweep failed')), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep (a sweep already running is joined, not doubled); resolves when it is done. */
  sweep(): Promise<void> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<void> {
    while ((await deleteExpiredMedia(this.db, this.ages, SWEEP_BATCH)) === SWEEP_BATCH);
    /** Files this sweep is done with for now: failed, or not in this store. */
    const passedOver: number[] = [];
    const errors: unknown[] = [];
    for (;;) {
      const batch = await this.removeQueuedFiles(passedOver, errors);
      if (batch.stopped || batch.locked < SWEEP_BATCH) break;
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} queued media files could not be removed; they stay queued`);
  }

  /**
   * Removes a batch of queued files and forgets them in one transaction. A file that storage fails
   * to remove stays queued, moved to the back (added to `passedOver`, its error to `errors`): one file
   * that cannot go must not hold up all the others. Should storage fail file after file, the batch
   * stops, and what is left waits for the next sweep.
   */
  private removeQueuedFiles(passedOver: number[], errors: unknown[]): Promise<BatchOutcome> {
    return inTransaction(this.db.$client, async (tx) => {
      const queued = await lockQueuedFileDeletions(tx, SWEEP_BATCH, passedOver);
      const removed: number[] = [];
      const postponed: number[] = [];
      let failuresInARow = 0;
      for (const file of queued) {
        try {
          const existed = await this.storage.remove(file.visibility, file.file);
          failuresInARow = 0;
          if (existed || file.ageSeconds > MISSING_FILE_GRACE_SECONDS) removed.push(file.id);
          // Not here: left queued for the store that has it; this sweep passes it over.
          else passedOver.push(file.id);
        } catch (err) {
          postponed.push(file.id);
          errors.push(err);
          if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) break;
        }
      }
      if (removed.length > 0) await forgetFileDeletions(tx, removed);
      if (postponed.length > 0) await postponeFileDeletions(tx, postponed);
      passedOver.push(...postponed);
      return { locked: queued.length, stopped: failuresInARow >= MAX_FAILURES_IN_A_ROW };
    });
  }
}
