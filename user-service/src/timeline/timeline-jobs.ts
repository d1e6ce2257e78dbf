/**
 * The jobs that keep home timelines up to date, and what each does. Fan-out and its undoing walk
 * the author's followers a batch at a time; each batch is its own job, enqueued by the one before
 * in the same transaction, so a crash loses at most one batch's work, which is then redone, and
 * an author with a million followers never holds one transaction for long. Other posts' jobs
 * queue up between the batches instead of waiting for the whole walk.
 */
import type { SqlExecutor } from '@murmur/shared/db';
import type { Enqueue, JobQueue } from './job-queue.js';
import { deliverToFollowers, purgeAccount, retractFromFollowers, retractFromReposters } from './feed.repo.js';

export type TimelineJob =
  /** Write a new post into its author's followers' timelines, from follow id `after` on. */
  | { kind: 'deliver'; postId: number; authorId: number; after: number }
  /** Remove a deleted post from its author's followers' timelines, from follow id `after` on. */
  | { kind: 'retract'; postId: number; authorId: number; after: number }
  /** Remove the timeline rows of a deleted account, a batch at a time. */
  | { kind: 'purge'; userId: number }
  /** Remove the reposts of a deleted post (their rows went with it) from their authors' followers' timelines. */
  | { kind: 'retract-reposts'; reposts: Array<{ postId: number; authorId: number }> };

/** Someone is waiting to see these; clean-up can wait. pg-boss runs higher numbers first. */
export const JOB_PRIORITY: Record<TimelineJob['kind'], number> = { deliver: 1, retract: 0, purge: 0, 'retract-reposts': 0 };

/**
 * Reposts one retract-reposts job carries: a post with more reposts is handed on in several jobs,
 * so neither the deleting request nor one job holds a transaction for long.
 */
export const REPOSTS_PER_JOB = 500;

export interface TimelineLimits {
  /** Followers per fan-out step, and rows per purge step. */
  batchSize: number;
}

type FollowerWalk = Extract<TimelineJob, { kind: 'deliver' | 'retract' }>;

/**
 * One step of a walk over a post's author's followers: writes (or removes) the post for up to
 * `limit` followers after `walk.after`, and when the step was full, enqueues the rest as a job
 * in the same transaction. The request that creates or deletes a post takes the first step
 * itself, so most posts (authors with few followers) never need a job; the jobs take the rest.
 */
export async function walkFollowers(tx: SqlExecutor, enqueue: Enqueue<TimelineJob>, walk: FollowerWalk, limit: number): Promise<void> {
  const post = { id: walk.postId, authorId: walk.authorId };
  const step = walk.kind === 'deliver' ? deliverToFollowers : retractFromFollowers;
  const { lastFollowId, count } = limit > 0 ? await step(tx, post, walk.after, limit) : { lastFollowId: walk.after, count: 0 };
  // A full step may have more followers behind it; so may a step of none (the first, skipped).
  if (count === limit && lastFollowId !== undefined) await enqueue({ ...walk, after: lastFollowId }, JOB_PRIORITY[walk.kind]);
}

/**
 * Enqueues the removal of a deleted post's reposts from timelines, REPOSTS_PER_JOB at a time. The
 * reposts' rows go with the post in its transaction; timelines stop showing them at once, and
 * these jobs remove the rows.
 */
export async function retractReposts(enqueue: Enqueue<TimelineJob>, reposts: Array<{ postId: number; authorId: number }>): Promise<void> {
  for (let i = 0; i < reposts.length; i += REPOSTS_PER_JOB) {
    await enqueue({ kind: 'retract-reposts', reposts: reposts.slice(i, i + REPOSTS_PER_JOB) }, JOB_PRIORITY['retract-reposts']);
  }
}

export function timelineJobRunner(limits: TimelineLimits) {
  return async function runTimelineJob(job: TimelineJob, tx: SqlExecutor, enqueue: Enqueue<TimelineJob>): Promise<void> {
    switch (job.kind) {
      case 'deliver':
      case 'retract':
        return walkFollowers(tx, enqueue, job, limits.batchSize);
      case 'purge':
        if ((await purgeAccount(tx, job.userId, limits.batchSize)) > 0) await enqueue(job, JOB_PRIORITY.purge);
        return;
      case 'retract-reposts':
        await retractFromReposters(tx, job.reposts);
        for (const { postId, authorId } of job.reposts) await enqueue({ kind: 'retract', postId, authorId, after: 0 }, JOB_PRIORITY.retract);
        return;
    }
  };
}

/** The queue every timeline job goes through. */
export type TimelineJobs = JobQueue<TimelineJob>;
