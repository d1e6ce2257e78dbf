/** Queries on follows: the social graph. */
import { sql } from 'drizzle-orm';
import { FOREIGN_KEY_VIOLATION, pgErrorOf, runSql, type Db, type SqlExecutor } from '@murmur/shared/db';
import type { PageRequest } from '../pagination.js';
import { unmergeQuery } from '../timeline/feed.repo.js';

export interface UserSummary {
  id: number;
  username: string;
}

/** A user in a follower list, with the follow's id, which orders the list. */
export interface FollowListRow extends UserSummary {
  followId: number;
}

/**
 * Follows `followeeId` in one statement; following twice leaves one follow. Resolves undefined
 * when the followee does not exist (or is deleted meanwhile), else whether this call made the
 * follow (`created`) and whether the followee follows back.
 */
export async function insertFollow(
  tx: SqlExecutor,
  followerId: number,
  followeeId: number,
): Promise<{ created: boolean; followedBy: boolean } | undefined> {
  try {
    const [row] = await runSql<{ target_exists: boolean; created: boolean; followed_by: boolean }>(tx, sql`
      WITH target AS (SELECT id FROM users WHERE id = ${followeeId}),
      inserted AS (
        INSERT INTO follows (follower_id, followee_id)
        SELECT ${followerId}, id FROM target
        ON CONFLICT (follower_id, followee_id) DO NOTHING
        RETURNING id
      )
      SELECT EXISTS (SELECT 1 FROM target) AS target_exists, EXISTS (SELECT 1 FROM inserted) AS created,
        EXISTS (SELECT 1 FROM follows WHERE follower_id = ${followeeId} AND followee_id = ${followerId}) AS followed_by`);
    return row?.target_exists ? { created: row.created, followedBy: row.followed_by } : undefined;
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
export async function deleteFollow(db: Db, followerId: number, followeeId: number): Promise<{ followedBy: boolean } | undefined> {
  const { rows } = await db.execute<{ target_exists: boolean; followed_by: boolean }>(sql`
    WITH deleted AS (DELETE FROM follows WHERE follower_id = ${followerId} AND followee_id = ${followeeId}),
    unmerged AS (${unmergeQuery(followerId, followeeId)})
    SELECT EXISTS (SELECT 1 FROM users WHERE id = ${followeeId}) AS target_exists,
      EXISTS (SELECT 1 FROM follows WHERE follower_id = ${followeeId} AND followee_id = ${followerId}) AS followed_by`);
  const row = rows[0];
  return row?.target_exists ? { followedBy: row.followed_by } : undefined;
}

/** Who follows `userId` (direction 'followers') or whom they follow ('following'), newest first. */
export async function listFollows(
  db: Db,
  userId: number,
  direction: 'followers' | 'following',
  page: PageRequest,
): Promise<FollowListRow[]> {
  // Each direction walks its own (user, id DESC) index.
  const listed = direction === 'followers' ? sql`f.follower_id` : sql`f.followee_id`;
  const owner = direction === 'followers' ? sql`f.followee_id` : sql`f.follower_id`;
  const { rows } = await db.execute<{ follow_id: number; id: number; username: string }>(sql`
    SELECT f.id AS follow_id, u.id, u.username
    FROM follows f JOIN users u ON u.id = ${listed}
    WHERE ${owner} = ${userId} ${page.before === undefined ? sql`` : sql`AND f.id < ${page.before}`}
    ORDER BY f.id DESC
    LIMIT ${page.limit + 1}`);
  return rows.map((r) => ({ followId: Number(r.follow_id), id: r.id, username: r.username }));
}
