/**
 * A durable job queue on PostgreSQL: pg-boss stores the jobs, retries failed ones,
 * and hands a job whose worker died back out once it expires. This module adds the two things
 * the timeline needs on top:
 *
 * - Jobs are enqueued inside the caller's transaction (`write`), so a post and its fan-out job
 *   commit together or not at all.
 * - A job's own writes, the jobs it enqueues and its completion commit in one transaction, so a
 *   crash at any point either keeps all of it or redoes all of it.
 *
 * Each instance runs `workers` loops that fetch one job at a time. A loop that finds nothing
 * waits `pollMs`, or less: a write on this instance wakes its loops as soon as it commits.
 */
import type pg from 'pg';
import PgBoss from 'pg-boss';
import { Counter, Histogram, type Registry } from 'prom-client';
import { inTransaction, type SqlExecutor } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';

export interface JobQueueOptions<Job extends object> {
  databaseUrl: string;
  /** Where the job's transaction runs: the service's own pool, with its statement deadlines. */
  pool: pg.Pool;
  logger: Logger;
  queue: string;
  /** Loops fetching jobs on this instance; 0 only enqueues. */
  workers: number;
  /** How long an idle loop waits before looking again for jobs enqueued by other instances. */
  pollMs: number;
  /** A job still running after this long is taken to have crashed and is handed out again. */
  expireSeconds: number;
  /** How often expired jobs are looked for (pg-boss maintenance, run by one instance at a time). */
  superviseSeconds: number;
  /** Where the jobs' counts and durations are published (GET /metrics). */
  metrics: Registry;
  /** Does the job's work inside `tx`; may enqueue follow-up jobs in the same transaction. */
  run(job: Job, tx: SqlExecutor, enqueue: Enqueue<Job>): Promise<void>;
}

/** Adds a job to the transaction it was handed with; lower `priority` numbers wait for higher ones. */
export type Enqueue<Job> = (job: Job, priority?: number) => Promise<void>;

/** A failed job is tried again every 5 s for about 14 hours, so an outage loses no job. */
const RETRY_DELAY_SECONDS = 5;
const RETRY_LIMIT = 10_000;
/** A loop that cannot reach the database waits at most this long between attempts. */
const MAX_ERROR_BACKOFF_MS = 5_000;

export class JobQueue<Job extends object> {
  private stopped = false;
  private wakers = new Set<() => void>();
  private loops: Array<Promise<void>> = [];
  private readonly jobsRun: Counter<'queue' | 'outcome'>;
  private readonly jobDuration: Histogram<'queue'>;

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: JobQueueOptions<Job>,
  ) {
    this.jobsRun = new Counter({
      name: 'jobs_run_total',
      help: 'Background jobs run by this instance, by queue and outcome (completed, failed: retried later)',
      labelNames: ['queue', 'outcome'] as const,
      registers: [options.metrics],
    });
    this.jobDuration = new Histogram({
      name: 'job_duration_seconds',
      help: 'How long one job (one fan-out step) took, its commit included',
      labelNames: ['queue'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [options.metrics],
    });
  }

  /** Installs or upgrades pg-boss's schema, creates the queue and starts this instance's loops. */
  static async open<Job extends object>(options: JobQueueOptions<Job>): Promise<JobQueue<Job>> {
    const boss = new PgBoss({
      connectionString: options.databaseUrl,
      application_name: 'murmur-jobs',
      // Its own statements only: fetch, fail and maintenance. A job's work runs on `pool`.
      max: 2,
      schedule: false,
      maintenanceIntervalSeconds: options.superviseSeconds,
      monitorStateIntervalSeconds: Math.max(60, options.superviseSeconds),
      archiveCompletedAfterSeconds: 60 * 60,
      deleteAfterDays: 1,
    });
    boss.on('error', (err: unknown) => options.logger.warn({ err }, 'job queue maintenance failed'));
    await boss.start();
    const queue = {
      name: options.queue,
      retryLimit: RETRY_LIMIT,
      retryDelay: RETRY_DELAY_SECONDS,
      expireInSeconds: options.expireSeconds,
    };
    if (await boss.getQueue(queue.name)) await boss.updateQueue(queue.name, queue);
    // A concurrent start may create it first; then this one's settings apply.
    else await boss.createQueue(queue.name, queue).catch(() => boss.updateQueue(queue.name, queue));
    const jobQueue = new JobQueue(boss, options);
    for (let i = 0; i < options.workers; i += 1) jobQueue.loops.push(jobQueue.loop());
    return jobQueue;
  }

  /**
   * Runs `work` in one transaction on the service's pool. The jobs it enqueues exist exactly
   * when the transaction commits; this instance starts on them at once.
   */
  async write<T>(work: (tx: SqlExecutor, enqueue: Enqueue<Job>) => Promise<T>): Promise<T> {
    let enqueued = false;
    const result = await inTransaction(this.options.pool, (tx) =>
      work(tx, async (job, priority) => {
        await this.send(tx, job, priority);
        enqueued = true;
      }),
    );
    if (enqueued) this.wake();
    return result;
  }

  /** Stops fetching, lets the jobs in hand finish, and closes pg-boss. Unfinished jobs stay queued. */
  async close(): Promise<void> {
    this.stopped = true;
    this.wake();
    await Promise.all(this.loops);
    await this.boss.stop({ graceful: false, wait: true });
  }

  private async send(tx: SqlExecutor, job: Job, priority = 0): Promise<void> {
    await this.boss.send(this.options.queue, job, { db: tx, priority });
  }

  private wake(): void {
    for (const waker of this.wakers) waker();
    this.wakers.clear();
  }

  /** Resolves after `ms`, or earlier when woken. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const [job] = await this.boss.fetch<Job>(this.options.queue, { batchSize: 1, priority: true });
        failures = 0;
        if (job) await this.runOne(job);
        else await this.pause(this.options.pollMs);
      } catch (err) {
        // The database is unreachable: try again later; the job, if any, is retried by pg-boss.
        failures += 1;
        if (failures === 1) this.options.logger.warn({ err }, 'job queue unreachable');
        await this.pause(Math.min(MAX_ERROR_BACKOFF_MS, this.options.pollMs * 2 ** failures));
      }
    }
  }

  private async runOne(job: PgBoss.Job<Job>): Promise<void> {
    const { queue, logger } = this.options;
    const timer = this.jobDuration.startTimer({ queue });
    try {
      await inTransaction(this.options.pool, async (tx) => {
        await this.options.run(job.data, tx, (next, priority) => this.send(tx, next, priority));
        // Completed in the same transaction as the work: done exactly once, or not at all.
        await this.boss.complete(queue, job.id, {}, { db: tx });
      });
      timer();
      this.jobsRun.inc({ queue, outcome: 'completed' });
    } catch (err) {
      this.jobsRun.inc({ queue, outcome: 'failed' });
      logger.warn({ err, job: job.data }, 'job failed; it will be retried');
      // If even this fails, the job expires and is retried all the same.
      await this.boss.fail(queue, job.id, { message: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
    }
  }
}
