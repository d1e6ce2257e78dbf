/**
 * What user-service tells people's `/ws/stream` connections, once the change it tells of has
 * committed: the notifications made (each as `GET /notifications` shows it to its recipient), a
 * post entering home timelines (`timeline`) and posts leaving them (`timeline_delete`). The
 * transport (Redis, or PostgreSQL NOTIFY) is @murmur/shared/live-events'. Every send is in the
 * background and never fails the change: what a lost event told is found again in the durable
 * tables (notifications, home_feed).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';
import type { LiveEventPublisher } from '@murmur/shared/live-events';
import type { Logger } from '@murmur/shared/logger';
import { notificationsByIds } from '../services/notifications.service.js';
import { selectPosts, type EntriesQuery } from '../repos/post-view.repo.js';

/** A post's row (or a repost's) as a timeline shows it: the original, with the reposter. */
const timelineEntry = (postId: number): EntriesQuery => sql`
  SELECT id AS position, coalesce(repost_of_id, id) AS post_id, CASE WHEN repost_of_id IS NOT NULL THEN author_id END AS reposted_by
  FROM posts WHERE id = ${postId}`;

export class LiveUpdates {
  constructor(
    private readonly db: Db,
    private readonly publisher: LiveEventPublisher,
    private readonly logger: Logger,
  ) {}

  /** Sends each notification of `ids` to its recipient. */
  notificationsMade(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.inBackground('sending notifications live', async () => {
      for (const { recipientId, notification } of await notificationsByIds(this.db, ids)) {
        await this.publisher.publish([recipientId], { json: JSON.stringify({ type: 'notification', notification }), notificationId: notification.id });
      }
    });
  }

  /**
   * Post (or repost) `postId` entered the home timelines of `readerIds`. The post is shown as
   * nobody in particular sees it (`liked` and `reposted` false): one rendering for every reader.
   */
  postEntered(postId: number, readerIds: readonly number[]): void {
    if (readerIds.length === 0) return;
    this.inBackground('sending a timeline post live', async () => {
      const [entry] = await selectPosts(this.db, timelineEntry(postId), undefined);
      if (entry) await this.publisher.publish(readerIds, { json: JSON.stringify({ type: 'timeline', item: entry.post }) });
    });
  }

  /** Posts left home timelines: each of `removed` names the post as timelines show it (the original of a repost) and its readers. */
  postsLeft(removed: ReadonlyArray<{ postId: number; readerIds: readonly number[] }>): void {
    if (removed.length === 0) return;
    this.inBackground('sending timeline deletions live', async () => {
      for (const { postId, readerIds } of removed) await this.publisher.publish(readerIds, { json: JSON.stringify({ type: 'timeline_delete', postId }) });
    });
  }

  private inBackground(what: string, send: () => Promise<void>): void {
    send().catch((err: unknown) => this.logger.warn({ err }, `${what} failed`));
  }
}
