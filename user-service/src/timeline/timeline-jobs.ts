/**
 * The jobs that keep home timelines up to date, and what each does. Fan-out and its undoing walk
 * the author's followers a batch at a time; each batch is its own job, enqueued by the one before
 * in the same transaction, so a crash loses at most one batch's work, which is then redone, and
 * an author with a million followers never holds one transaction for long. Other posts' jobs
 * queue up between the batches instead of waiting for the whole walk.
 */
import type { SqlExecutor } from '@murmur/shared/db';
import type { Enqueue, JobQueue } from './job-queue.js';
import { deliverToFollowers, purgeAccount, retractFromFollowers } from './feed.repo.js';

export type TimelineJob =
  /** Write a new post into its author's followers' timelines, from follow id `after` on. */
  | { kind: 'deliver'; postId: number; authorId: number; after: number }
  /** Remove a deleted post from its author's followers' timelines, from follow id `after` on. */
  | { kind: 'retract'; postId: number; authorId: number; after: number }
  /** Remove the timeline rows of a deleted account, a batch at a time. */
  | { kind: 'purge'; userId: number };

/** Someone is waiting to see these; clean-up can wait. pg-boss runs higher numbers first. */
export const JOB_PRIORITY: Record<TimelineJob['kind'], number> = { deliver: 1, retract: 0, purge: 0 };

export interface TimelineLimits {
  /** Followers per fan-out step, and rows per purge step. */
  batchSize: number;
}

export function timelineJobRunner(limits: TimelineLimits) {
  return async function runTimelineJob(job: TimelineJob, tx: SqlExecutor, enqueue: Enqueue<TimelineJob>): Promise<void> {
    const next = (following: TimelineJob) => enqueue(following, JOB_PRIORITY[following.kind]);
    switch (job.kind) {
      case 'deliver':
      case 'retract': {
        const post = { id: job.postId, authorId: job.authorId };
        const step = job.kind === 'deliver' ? deliverToFollowers : retractFromFollowers;
        const { lastFollowId, count } = await step(tx, post, job.after, limits.batchSize);
        // A full batch may have more followers behind it.
        if (count === limits.batchSize && lastFollowId !== undefined) await next({ ...job, after: lastFollowId });
        return;
      }
      case 'purge':
        if ((await purgeAccount(tx, job.userId, limits.batchSize)) > 0) await next(job);
        return;
    }
  };
}

/** The queue every timeline job goes through. */
export type TimelineJobs = JobQueue<TimelineJob>;
