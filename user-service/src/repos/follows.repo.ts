/** Queries on follows: the social graph. */
import { sql, type SQL } from 'drizzle-orm';
import { FOREIGN_KEY_VIOLATION, pgErrorOf, type Db } from '@murmur/shared/db';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { PageRequest } from '@murmur/shared/http';
import { authorTimelineLock, backfillQuery, unmergeQuery } from '../timeline/feed.repo.js';
import { madeIds, notifyRows, toIds } from '@murmur/shared/notifications';
import { probedPerRow, shownTo } from '@murmur/shared/safety';

import { summaryColumns, toSummary, type AccountSummary, type SummaryRow } from './account-summary.js';

/** A user in a follower list, with the follow's id, which orders the list. */
export interface FollowListRow extends AccountSummary {
  followId: number;
}

const dialect = new PgDialect();

/** Runs `;`-separated statements as one simple query; resolves the first row of each. */
async function runStatements<Last>(db: Db, statements: SQL): Promise<[unknown, Last | undefined]> {
  const results = (await db.$client.query(dialect.sqlToQuery(statements.inlineParams()).sql)) as unknown as pg.QueryResult[];
  return [results[0]?.rows[0], results[1]?.rows[0] as Last | undefined];
}

/**
 * Follows `followeeId`, brings their `backfillPosts` newest posts into the follower's timeline,
 * and notifies them (once, however often the follow is undone and made again); following twice
 * leaves one follow. Resolves undefined when the followee does not
 * exist (or is deleted meanwhile), else whether the followee follows back.
 *
 * Two statements in one round trip: the first takes the followee's timeline lock, and the second
 * must read their posts with a snapshot taken after that (see `authorTimelineLock`). Sent as one
 * simple query, they run in one implicit transaction, each statement with its own snapshot.
 * The simple protocol has no parameters, so the values (integers only) are inlined by drizzle.
 */
export async function insertFollow(
  db: Db,
  followerId: number,
  followeeId: number,
  backfillPosts: number,
): Promise<{ followedBy: boolean; notificationIds: number[] } | undefined> {
  try {
    const [, row] = await runStatements<{ target_exists: boolean; followed_by: boolean; notification_ids: string[] }>(db, sql`
      SELECT ${authorTimelineLock(followeeId, 'follow')};
      WITH target AS (SELECT id FROM users WHERE id = ${followeeId}),
      inserted AS (
        INSERT INTO follows (follower_id, followee_id)
        SELECT ${followerId}, id FROM target
        ON CONFLICT (follower_id, followee_id) DO NOTHING
        RETURNING id
      ),
      backfilled AS (${backfillQuery(followerId, followeeId, backfillPosts, sql`EXISTS (SELECT 1 FROM inserted)`)}),
      notified AS (${notifyRows('follow', sql`SELECT ${followeeId}::integer AS recipient_id, ${followerId}::integer AS account_id, NULL::bigint AS post_id FROM inserted`)})
      SELECT EXISTS (SELECT 1 FROM target) AS target_exists,
        EXISTS (SELECT 1 FROM follows WHERE follower_id = ${followeeId} AND followee_id = ${followerId}) AS followed_by,
        ${madeIds('notified')}`);
    return row?.target_exists ? { followedBy: row.followed_by, notificationIds: toIds(row.notification_ids) } : undefined;
  } catch (err) {
    // The followee (or the follower) was deleted between the check and the insert.
    if (pgErrorOf(err)?.code === FOREIGN_KEY_VIOLATION) return undefined;
    throw err;
  }
}

/**
 * Unfollows, and takes the followee's posts out of the follower's timeline, in one statement.
 * Resolves undefined when the followee does not exist, else whether they follow back.
 */
export async function deleteFollow(db: Db, followerId: number, followeeId: number): Promise<{ followedBy: boolean; unmerged: number[] } | undefined> {
  const { rows } = await db.execute<{ target_exists: boolean; followed_by: boolean; unmerged: Array<string | number> }>(sql`
    WITH deleted AS (DELETE FROM follows WHERE follower_id = ${followerId} AND followee_id = ${followeeId}),
    unmerged AS (${unmergeQuery(followerId, followeeId)})
    SELECT EXISTS (SELECT 1 FROM users WHERE id = ${followeeId}) AS target_exists,
      EXISTS (SELECT 1 FROM follows WHERE follower_id = ${followeeId} AND followee_id = ${followerId}) AS followed_by,
      ARRAY(SELECT original_id FROM unmerged) AS unmerged`);
  const row = rows[0];
  return row?.target_exists ? { followedBy: row.followed_by, unmerged: row.unmerged.map(Number) } : undefined;
}

/**
 * Who follows `userId` (direction 'followers') or whom they follow ('following'), newest first,
 * of the accounts shown to `viewerId` (`shownTo`: no suspended account; for a logged-in viewer,
 * none blocked either way).
 */
export async function listFollows(
  db: Db,
  userId: number,
  direction: 'followers' | 'following',
  page: PageRequest,
  viewerId?: number,
): Promise<FollowListRow[]> {
  // Each direction walks its own (user, id DESC) index.
  const listed = direction === 'followers' ? sql`f.follower_id` : sql`f.followee_id`;
  const owner = direction === 'followers' ? sql`f.followee_id` : sql`f.follower_id`;
  const { rows } = await db.execute<SummaryRow & { follow_id: number }>(sql`
    SELECT f.id AS follow_id, ${summaryColumns('u')}
    FROM follows f JOIN users u ON u.id = ${listed}
    WHERE ${owner} = ${userId} ${page.cursor === undefined ? sql`` : sql`AND f.id < ${page.cursor}`} AND ${probedPerRow(shownTo(viewerId, listed))}
    ORDER BY f.id DESC
    LIMIT ${page.limit + 1}`);
  return rows.map((r) => ({ followId: Number(r.follow_id), ...toSummary(r) }));
}
