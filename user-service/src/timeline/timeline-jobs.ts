/**
 * The jobs that keep home timelines up to date, and what each does. Fan-out and its undoing walk
 * the author's followers a batch at a time; each batch is its own job, enqueued by the one before
 * in the same transaction, so a crash loses at most one batch's work, which is then redone, and
 * an author with a million followers never holds one transaction for long. Other posts' jobs
 * queue up between the batches instead of waiting for the whole walk.
 */
import type { SqlExecutor } from '@murmur/shared/db';
import type { LiveUpdates } from '../live/live-updates.js';
import type { Enqueue, JobQueue } from './job-queue.js';
import { deliverToFollowers, purgeAccount, retractFromFollowers, retractFromReposters } from './feed.repo.js';

export type TimelineJob =
  /** Write a new post into its author's followers' timelines, from follow id `after` on. */
  | { kind: 'deliver'; postId: number; authorId: number; after: number }
  /**
   * Remove a deleted post from its author's followers' timelines, from follow id `after` on.
   * `shownId` is the post timelines show for it: the original, when it is a repost.
   */
  | { kind: 'retract'; postId: number; authorId: number; after: number; shownId?: number }
  /** Remove the timeline rows of a deleted account, a batch at a time. */
  | { kind: 'purge'; userId: number }
  /** Remove the reposts of a deleted post (their rows went with it) from their authors' followers' timelines. */
  | { kind: 'retract-reposts'; reposts: Array<{ postId: number; authorId: number }>; shownId?: number };

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
  /** Tells the readers' stream connections what entered or left their timelines. */
  live: LiveUpdates;
}

type FollowerWalk = Extract<TimelineJob, { kind: 'deliver' | 'retract' }>;

/**
 * One step of a walk over a post's author's followers: writes (or removes) the post for up to
 * `limit` followers after `walk.after`, and when the step was full, enqueues the rest as a job
 * in the same transaction. The request that creates or deletes a post takes the first step
 * itself, so most posts (authors with few followers) never need a job; the jobs take the rest.
 * Resolves the readers whose timeline the step changed.
 */
export async function walkFollowers(tx: SqlExecutor, enqueue: Enqueue<TimelineJob>, walk: FollowerWalk, limit: number): Promise<number[]> {
  const post = { id: walk.postId, authorId: walk.authorId };
  const step = walk.kind === 'deliver' ? deliverToFollowers : retractFromFollowers;
  const { lastFollowId, count, readers } = limit > 0 ? await step(tx, post, walk.after, limit) : { lastFollowId: walk.after, count: 0, readers: [] };
  // A full step may have more followers behind it; so may a step of none (the first, skipped).
  if (count === limit && lastFollowId !== undefined) await enqueue({ ...walk, after: lastFollowId }, JOB_PRIORITY[walk.kind]);
  return readers;
}

/**
 * Enqueues the removal of a deleted post's reposts from timelines, REPOSTS_PER_JOB at a time. The
 * reposts' rows go with the post in its transaction; timelines stop showing them at once, and
 * these jobs remove the rows.
 * @param shownId the deleted post, which timelines show for each of its reposts; without it (an
 *   account's reposts of many posts), the streams are not told: the posts are gone from every
 *   timeline page already.
 */
export async function retractReposts(enqueue: Enqueue<TimelineJob>, reposts: Array<{ postId: number; authorId: number }>, shownId?: number): Promise<void> {
  for (let i = 0; i < reposts.length; i += REPOSTS_PER_JOB) {
    const job = { kind: 'retract-reposts', reposts: reposts.slice(i, i + REPOSTS_PER_JOB), ...(shownId !== undefined ? { shownId } : {}) } as const;
    await enqueue(job, JOB_PRIORITY['retract-reposts']);
  }
}

/**
 * Runs a timeline job. A job tells the streams what it changed before its transaction commits
 * (the job queue owns the commit): the post it tells of has committed already, and a job that
 * fails and runs again at worst tells a reader twice, which a client takes as once.
 */
export function timelineJobRunner(limits: TimelineLimits) {
  const { live } = limits;
  return async function runTimelineJob(job: TimelineJob, tx: SqlExecutor, enqueue: Enqueue<TimelineJob>): Promise<void> {
    switch (job.kind) {
      case 'deliver':
        live.postEntered(job.postId, await walkFollowers(tx, enqueue, job, limits.batchSize));
        return;
      case 'retract': {
        const readers = await walkFollowers(tx, enqueue, job, limits.batchSize);
        live.postsLeft([{ postId: job.shownId ?? job.postId, readerIds: readers }]);
        return;
      }
      case 'purge':
        if ((await purgeAccount(tx, job.userId, limits.batchSize)) > 0) await enqueue(job, JOB_PRIORITY.purge);
        return;
      case 'retract-reposts': {
        const reposters = await retractFromReposters(tx, job.reposts);
        if (job.shownId !== undefined) live.postsLeft([{ postId: job.shownId, readerIds: reposters }]);
        for (const { postId, authorId } of job.reposts) {
          await enqueue({ kind: 'retract', postId, authorId, after: 0, ...(job.shownId !== undefined ? { shownId: job.shownId } : {}) }, JOB_PRIORITY.retract);
        }
        return;
      }
    }
  };
}

/** The queue every timeline job goes through. */
export type TimelineJobs = JobQueue<TimelineJob>;
