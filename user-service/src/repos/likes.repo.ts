/** Queries on likes. Each like's count on its post is kept by the `likes_count` trigger. */
import { sql } from 'drizzle-orm';
import { FOREIGN_KEY_VIOLATION, pgErrorOf, type Db } from '@murmur/shared/db';
import type { PageRequest } from '@murmur/shared/http';
import { summaryColumns, toSummary, type AccountSummary, type SummaryRow } from './account-summary.js';
import { madeIds, notifyRows, toIds } from '@murmur/shared/notifications';
import { idBefore } from './posts.repo.js';
import { isSuspended, probedPerRow, shownTo } from '@murmur/shared/safety';

/**
 * Likes post `postId` (not a repost's row) as `userId`, and notifies its author; liking twice
 * keeps one like and one notification. Resolves the notification made (none for a repeat), or
 * undefined when there is no such post (or its author is suspended). A block either way is the
 * trigger's refusal (403 BLOCKED).
 */
export async function insertLike(db: Db, userId: number, postId: number): Promise<{ notificationIds: number[] } | undefined> {
  try {
    const { rows } = await db.execute<{ found: boolean; notification_ids: string[] }>(sql`
      WITH target AS (SELECT id, author_id FROM posts WHERE id = ${postId} AND repost_of_id IS NULL AND NOT ${isSuspended(sql`posts.author_id`)}),
      liked AS (
        INSERT INTO likes (user_id, post_id) SELECT ${userId}, id FROM target
        ON CONFLICT (user_id, post_id) DO NOTHING
      ),
      notified AS (${notifyRows('like', sql`SELECT author_id AS recipient_id, ${userId}::integer AS account_id, id AS post_id FROM target`)})
      SELECT EXISTS (SELECT 1 FROM target) AS found, ${madeIds('notified')}`);
    const row = rows[0];
    return row?.found ? { notificationIds: toIds(row.notification_ids) } : undefined;
  } catch (err) {
    // The post (or the account) was deleted between the read and the insert.
    if (pgErrorOf(err)?.code === FOREIGN_KEY_VIOLATION) return undefined;
    throw err;
  }
}

/**
 * Takes back `userId`'s like of `postId`, if any; resolves false, and changes nothing, when there
 * is no such post or it is not shown to them (a block, a suspension).
 */
export async function deleteLike(db: Db, userId: number, postId: number): Promise<boolean> {
  const { rows } = await db.execute<{ found: boolean }>(sql`
    WITH target AS (SELECT id FROM posts WHERE id = ${postId} AND repost_of_id IS NULL AND ${shownTo(userId, sql`posts.author_id`)}),
    unliked AS (DELETE FROM likes WHERE user_id = ${userId} AND post_id IN (SELECT id FROM target))
    SELECT EXISTS (SELECT 1 FROM target) AS found`);
  return rows[0]?.found ?? false;
}

/** An account that liked a post, with the like's id, which orders the list. */
export interface Liker extends AccountSummary {
  likeId: number;
}

/**
 * The accounts that liked `postId`, newest like first, of those shown to `viewerId` (`shownTo`:
 * no suspended account, none blocked either way; anonymous when undefined).
 */
export async function listLikers(db: Db, postId: number, page: PageRequest, viewerId?: number): Promise<Liker[]> {
  const { rows } = await db.execute<SummaryRow & { like_id: number | string }>(sql`
    SELECT l.id AS like_id, ${summaryColumns('u')}
    FROM (
      SELECT id, user_id FROM likes WHERE post_id = ${postId} ${idBefore(page.cursor)} AND ${probedPerRow(shownTo(viewerId, sql`likes.user_id`))}
      ORDER BY id DESC LIMIT ${page.limit + 1}
    ) l
    JOIN users u ON u.id = l.user_id
    ORDER BY l.id DESC`);
  return rows.map((r) => ({ likeId: Number(r.like_id), ...toSummary(r) }));
}
