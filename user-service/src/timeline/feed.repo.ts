/**
 * Statements on `home_feed`, each reader's materialized home timeline. Every write is idempotent
 * (a row is keyed by reader and post), so a job that is run again after a crash does no harm.
 */
import { sql, type SQL } from 'drizzle-orm';
import { runSql, type SqlExecutor } from '@murmur/shared/db';
import type { PageRequest } from '@murmur/shared/http';

/**
 * Serializes, per author, the two ways a post reaches a follower's timeline: the fan-out of a new
 * post and the backfill of a new follow. A post takes this lock exclusively and a follow shares
 * it, each in a statement of its own before reading, so the statements after it see everything
 * the other side committed while they waited. A follow then either commits before the post reads
 * the followers (and the fan-out includes it) or reads the author's posts after the post has
 * committed (and its backfill copies it). Without it, each could miss the other's uncommitted row
 * and the post would never reach that follower. Follows of one author never wait for each other;
 * posts, rare, wait for the follows in flight.
 */
export const authorTimelineLock = (authorId: number, mode: 'post' | 'follow') =>
  mode === 'post'
    ? sql`pg_advisory_xact_lock(hashtext('home_feed'), ${authorId})`
    : sql`pg_advisory_xact_lock_shared(hashtext('home_feed'), ${authorId})`;

/** Takes the author's timeline lock for a post, until transaction `tx` ends. */
export function lockTimelineForPost(tx: SqlExecutor, authorId: number): Promise<unknown> {
  return runSql(tx, sql`SELECT ${authorTimelineLock(authorId, 'post')}`);
}

/** How far a walk over an author's followers got: the last follow id it handled, and how many. */
export interface FollowerStep {
  lastFollowId: number | undefined;
  count: number;
}

/** The next `limit` followers of `authorId` after follow id `after`, in follow order. */
const followersAfter = (authorId: number, after: number, limit: number) => sql`
  SELECT id, follower_id FROM follows WHERE followee_id = ${authorId} AND id > ${after} ORDER BY id LIMIT ${limit}`;

async function walkStep(tx: SqlExecutor, query: SQL): Promise<FollowerStep> {
  const [row] = await runSql<{ last_follow_id: number | null; count: number }>(tx, query);
  return { lastFollowId: row?.last_follow_id ?? undefined, count: Number(row?.count ?? 0) };
}

/** Writes post `postId` into its author's own timeline, in the transaction that creates it. */
export function deliverToAuthor(tx: SqlExecutor, authorId: number, postId: number): Promise<unknown> {
  return runSql(tx, sql`
    INSERT INTO home_feed (reader_id, author_id, post_id) VALUES (${authorId}, ${authorId}, ${postId})
    ON CONFLICT DO NOTHING`);
}

/**
 * Writes the post into the timelines of the next `limit` followers. A post deleted in the
 * meantime is written nowhere (the clean-up job may already have passed).
 */
export function deliverToFollowers(tx: SqlExecutor, post: { id: number; authorId: number }, after: number, limit: number): Promise<FollowerStep> {
  return walkStep(
    tx,
    sql`
      WITH step AS (${followersAfter(post.authorId, after, limit)}),
      delivered AS (
        INSERT INTO home_feed (reader_id, author_id, post_id)
        SELECT follower_id, ${post.authorId}, ${post.id} FROM step
        WHERE EXISTS (SELECT 1 FROM posts WHERE id = ${post.id})
        ON CONFLICT DO NOTHING
      )
      SELECT max(id) AS last_follow_id, count(*) AS count FROM step`,
  );
}

/** Removes a deleted post from the timelines of the next `limit` followers of its author. */
export function retractFromFollowers(tx: SqlExecutor, post: { id: number; authorId: number }, after: number, limit: number): Promise<FollowerStep> {
  return walkStep(
    tx,
    sql`
      WITH step AS (${followersAfter(post.authorId, after, limit)}),
      retracted AS (
        DELETE FROM home_feed WHERE post_id = ${post.id} AND reader_id IN (SELECT follower_id FROM step)
      )
      SELECT max(id) AS last_follow_id, count(*) AS count FROM step`,
  );
}

/**
 * The SQL that brings the `limit` newest posts of `authorId` into the timeline of `readerId`
 * (a new follow), when `condition` holds.
 */
export function backfillQuery(readerId: number, authorId: number, limit: number, condition: SQL): SQL {
  return sql`
    INSERT INTO home_feed (reader_id, author_id, post_id)
    SELECT ${readerId}, ${authorId}, id FROM posts WHERE author_id = ${authorId} AND ${condition}
    ORDER BY id DESC LIMIT ${limit}
    ON CONFLICT DO NOTHING`;
}

/** The SQL that removes `authorId`'s posts from `readerId`'s timeline (an unfollow). */
export function unmergeQuery(readerId: number, authorId: number): SQL {
  return sql`DELETE FROM home_feed WHERE author_id = ${authorId} AND reader_id = ${readerId}`;
}

/**
 * Deletes up to `limit` rows of a deleted account: its own timeline and its posts in others'.
 * Resolves how many went; fewer than `limit` of each means none is left.
 */
export async function purgeAccount(tx: SqlExecutor, userId: number, limit: number): Promise<number> {
  const [row] = await runSql<{ count: number }>(tx, sql`
    WITH doomed AS (
      (SELECT reader_id, post_id FROM home_feed WHERE reader_id = ${userId} LIMIT ${limit})
      UNION
      (SELECT reader_id, post_id FROM home_feed WHERE author_id = ${userId} LIMIT ${limit})
    ),
    purged AS (
      DELETE FROM home_feed f USING doomed d WHERE f.reader_id = d.reader_id AND f.post_id = d.post_id RETURNING 1
    )
    SELECT count(*) AS count FROM purged`);
  return Number(row?.count ?? 0);
}

/**
 * A page of the reader's home timeline: their feed, newest first, joined with the posts and
 * authors it points to. A row whose post was deleted, or whose author the reader no longer
 * follows, is skipped here at once, before the jobs that remove it have run. The walk down the
 * primary key stops after one page, so the cost depends on the page size, not on `posts`.
 */
export function homeTimelineQuery(readerId: number, page: PageRequest): SQL {
  return sql`
    SELECT p.id, p.author_id, u.username, p.text, p.created_at
    FROM home_feed f
    JOIN posts p ON p.id = f.post_id
    JOIN users u ON u.id = p.author_id
    WHERE f.reader_id = ${readerId}
      ${page.cursor === undefined ? sql`` : sql`AND f.post_id < ${page.cursor}`}
      AND (f.author_id = ${readerId} OR EXISTS (SELECT 1 FROM follows WHERE follower_id = ${readerId} AND followee_id = f.author_id))
    ORDER BY f.post_id DESC
    LIMIT ${page.limit + 1}`;
}
