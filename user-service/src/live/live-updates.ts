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
import { GroupBatcher } from '@murmur/shared/group-batcher';
import type { LiveEventPublisher } from '@murmur/shared/live-events';
import type { Logger } from '@murmur/shared/logger';
import { notificationsByIds } from '../services/notifications.service.js';
import { selectPosts, type EntriesQuery } from '../repos/post-view.repo.js';

/** A post's row (or a repost's) as a timeline shows it: the original, with the reposter. */
const timelineEntry = (postId: number): EntriesQuery => sql`
  SELECT id AS position, coalesce(repost_of_id, id) AS post_id, CASE WHEN repost_of_id IS NOT NULL THEN author_id END AS reposted_by
  FROM posts WHERE id = ${postId}`;

/** Notifications rendered and sent by one round of queries. */
const MAX_NOTIFICATION_BATCH = 500;

export class LiveUpdates {
  /**
   * Notifications made by requests at the same moment are rendered by one query and sent by one
   * publish (group commit): under load, a follow or a like does not pay two round trips of its own.
   */
  private readonly notifications: GroupBatcher<number, void>;

  constructor(
    private readonly db: Db,
    private readonly publisher: LiveEventPublisher,
    private readonly logger: Logger,
  ) {
    this.notifications = new GroupBatcher({
      run: async (ids) => {
        await this.sendNotifications(ids);
        return ids.map(() => undefined);
      },
      maxBatch: MAX_NOTIFICATION_BATCH,
    });
  }

  /** Sends each notification of `ids` to its recipient. */
  notificationsMade(ids: readonly number[]): void {
    for (const id of ids) void this.notifications.submit(id);
  }

  /** Renders notifications `ids` and sends them; a failure is logged, never thrown. */
  private async sendNotifications(ids: number[]): Promise<void> {
    try {
      const shown = await notificationsByIds(this.db, ids);
      await this.publisher.publish(
        shown.map(({ recipientId, notification }) => ({
          userIds: [recipientId],
          event: { json: JSON.stringify({ type: 'notification', notification }), notificationId: notification.id },
        })),
      );
    } catch (err) {
      this.logger.warn({ err }, 'sending notifications live failed');
    }
  }

  /**
   * Post (or repost) `postId` entered the home timelines of `readerIds`. The post is shown as
   * nobody in particular sees it (`liked` and `reposted` false): one rendering for every reader.
   */
  postEntered(postId: number, readerIds: readonly number[]): void {
    if (readerIds.length === 0) return;
    this.inBackground('sending a timeline post live', async () => {
      const [entry] = await selectPosts(this.db, timelineEntry(postId), undefined);
      if (entry) await this.publisher.publish([{ userIds: readerIds, event: { json: JSON.stringify({ type: 'timeline', item: entry.post }) } }]);
    });
  }

  /** Posts left home timelines: each of `removed` names the post as timelines show it (the original of a repost) and its readers. */
  postsLeft(removed: ReadonlyArray<{ postId: number; readerIds: readonly number[] }>): void {
    if (removed.length === 0) return;
    this.inBackground('sending timeline deletions live', async () => {
      await this.publisher.publish(removed.map(({ postId, readerIds }) => ({ userIds: readerIds, event: { json: JSON.stringify({ type: 'timeline_delete', postId }) } })));
    });
  }

  private inBackground(what: string, send: () => Promise<void>): void {
    send().catch((err: unknown) => this.logger.warn({ err }, `${what} failed`));
  }
}
