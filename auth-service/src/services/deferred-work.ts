/**
 * Work a request leaves to be done after it has been answered, one job at a time in the order
 * the jobs came. The answer then takes the same time whatever the work finds (a password-reset
 * request must not tell by its timing whether the account exists), and a flood of requests
 * holds one database connection of this instance, not all of them.
 */
import type { Logger } from '@murmur/shared/logger';

export class DeferredWork {
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;

  /**
   * @param maxWaiting jobs queued beyond this are dropped (and logged): memory stays bounded
   * whatever the flood.
   */
  constructor(
    private readonly name: string,
    private readonly maxWaiting: number,
    private readonly logger: Logger,
  ) {}

  /** Queues `job`; returns at once. A job that fails is logged; the next one runs regardless. */
  add(job: () => Promise<void>): void {
    if (this.waiting >= this.maxWaiting) {
      this.logger.warn({ work: this.name, waiting: this.waiting }, 'too much deferred work waiting; a job was dropped');
      return;
    }
    this.waiting += 1;
    this.queue = this.queue
      .then(job)
      .catch((err: unknown) => this.logger.error({ err, work: this.name }, 'deferred work failed'))
      .finally(() => (this.waiting -= 1));
  }
}
