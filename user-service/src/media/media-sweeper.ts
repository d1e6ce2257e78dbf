/**
 * Keeps storage and the media table in step, on every instance at once: removes uploads nothing
 * will use (unattached past MEDIA_UNATTACHED_TTL_HOURS, or abandoned half-way), and removes from
 * storage the files that the media table's trigger queued when their rows went. Instances share
 * the work through `FOR UPDATE SKIP LOCKED`: a row is handled by one of them.
 */
import { inTransaction, type Db } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';
import { deleteExpiredMedia, forgetFileDeletions, lockQueuedFileDeletions, type SweepAges } from './media.repo.js';
import type { MediaStorage } from './storage.js';

/** Rows one statement of a sweep handles; a sweep goes on while batches come back full. */
const SWEEP_BATCH = 200;

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
    while ((await this.removeQueuedFiles()) === SWEEP_BATCH);
  }

  /**
   * Removes a batch of queued files and forgets them in one transaction: should storage fail,
   * the batch stays queued for the next sweep. Resolves how many were removed.
   */
  private removeQueuedFiles(): Promise<number> {
    return inTransaction(this.db.$client, async (tx) => {
      const queued = await lockQueuedFileDeletions(tx, SWEEP_BATCH);
      for (const file of queued) await this.storage.remove(file.visibility, file.file);
      if (queued.length > 0) await forgetFileDeletions(tx, queued.map((file) => file.id));
      return queued.length;
    });
  }
}
