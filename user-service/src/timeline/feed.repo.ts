/**
 * Statements on `home_feed`, each reader's materialized home timeline. Every write is idempotent
 * (a row is keyed by reader and post), so a job that is run again after a crash does no harm.
 */
import { sql, type SQL } from 'drizzle-orm';
import { runSql, type SqlExecutor } from '@murmur/shared/db';
import type { PageRequest } from '@murmur/shared/http';
import { blockedBetween, blocking, isSuspended, mutedBy, probedPerRow } from '@murmur/shared/safety';
import { postsQuery, type EntriesQuery } from '../repos/post-view.repo.js';

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

/**
 * How far a walk over an author's followers got: the last follow id it handled, and how many;
 * and the readers whose timeline the step changed (a reader who had the post already, or whose
 * timeline does not show it, is not among them).
 */
export interface FollowerStep {
  lastFollowId: number | undefined;
  count: number;
  readers: number[];
}

/** The next `limit` followers of `authorId` after follow id `after`, in follow order. */
const followersAfter = (authorId: number, after: number, limit: number) => sql`
  SELECT id, follower_id FROM follows WHERE followee_id = ${authorId} AND id > ${after} ORDER BY id LIMIT ${limit}`;

async function walkStep(tx: SqlExecutor, query: SQL): Promise<FollowerStep> {
  const [row] = await runSql<{ last_follow_id: number | null; count: number; readers: number[] | null }>(tx, query);
  return { lastFollowId: row?.last_follow_id ?? undefined, count: Number(row?.count ?? 0), readers: row?.readers ?? [] };
}

/**
 * Whether reader `reader` gets post `post` (a row of `posts`, aliased) in their timeline, as
 * Mastodon decides: a reply to someone else reaches only the readers who follow that someone,
 * and that someone themselves; a post, a self-reply and a repost reach everyone.
 */
const showsInTimelineOf = (reader: SQL, post: SQL) => sql`(
  ${post}.in_reply_to_user_id IS NULL OR ${post}.in_reply_to_user_id = ${post}.author_id OR ${post}.in_reply_to_user_id = ${reader}
  OR EXISTS (SELECT 1 FROM follows WHERE follower_id = ${reader} AND followee_id = ${post}.in_reply_to_user_id))`;

/**
 * What a write into `reader`'s timeline leaves out: a post or repost by an `author` they muted (a
 * mute of posts alone too), and a repost of a post whose author (`originalAuthor`, NULL for a
 * post) they muted or are blocked with either way. A block with `author` has ended the follow in
 * its own transaction, and a row written while a block lands is hidden when read
 * (`timelineEntries`), so that probe is saved. Each condition is a NOT EXISTS of its own in the
 * statement's WHERE, which the planner makes an anti-join: an index probe per follower, estimated
 * as one (a fan-out step of thousands of followers stays cheap enough not to be compiled by JIT).
 */
const keptOutOnWrite = (reader: SQL, author: SQL, originalAuthor: SQL) => sql`
  NOT ${mutedBy(reader, author)} AND NOT ${mutedBy(reader, originalAuthor)}
  AND NOT ${blocking(reader, originalAuthor)} AND NOT ${blocking(originalAuthor, reader)}`;

/**
 * True when `reader` does not see what `author` wrote or passed on, as a timeline page is read: a
 * mute, a block either way, and while it lasts a suspension (so that unmuting, unblocking or
 * unsuspending shows the rows again). Writes never leave out a suspended author's post: it must
 * be there once the suspension ends.
 */
const hiddenNowFrom = (reader: SQL, author: SQL) => sql`(${mutedBy(reader, author)} OR ${blockedBetween(reader, author)} OR ${isSuspended(author)})`;

/**
 * Writes the post (or repost) into the timelines of the next `limit` followers. A post deleted in
 * the meantime is written nowhere (the clean-up job may already have passed). A reader who
 * already has the post shown (the original, or another repost of it) is skipped by the
 * `home_feed_reader_original_key` conflict, so a post appears once in a timeline. A follower
 * who muted the author, or (for a repost) muted or is blocked either way with the original's
 * author, is skipped: no row, and no live event, for a post they would not see.
 */
export function deliverToFollowers(tx: SqlExecutor, post: { id: number; authorId: number }, after: number, limit: number): Promise<FollowerStep> {
  return walkStep(
    tx,
    sql`
      WITH step AS (${followersAfter(post.authorId, after, limit)}),
      delivered AS (
        INSERT INTO home_feed (reader_id, author_id, post_id, original_id)
        SELECT s.follower_id, p.author_id, p.id, coalesce(p.repost_of_id, p.id)
        FROM step s JOIN posts p ON p.id = ${post.id} LEFT JOIN posts o ON o.id = p.repost_of_id
        WHERE ${showsInTimelineOf(sql`s.follower_id`, sql`p`)} AND ${keptOutOnWrite(sql`s.follower_id`, sql`p.author_id`, sql`o.author_id`)}
        ON CONFLICT DO NOTHING
        RETURNING reader_id
      )
      SELECT max(id) AS last_follow_id, count(*) AS count, ARRAY(SELECT reader_id FROM delivered) AS readers FROM step`,
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
        RETURNING reader_id
      )
      SELECT max(id) AS last_follow_id, count(*) AS count, ARRAY(SELECT reader_id FROM retracted) AS readers FROM step`,
  );
}

/** Removes each repost of `reposts` (gone with their post) from its reposter's own timeline; resolves the reposters it removed it from. */
export async function retractFromReposters(tx: SqlExecutor, reposts: Array<{ postId: number; authorId: number }>): Promise<number[]> {
  const rows = await runSql<{ reader_id: number }>(tx, sql`
    DELETE FROM home_feed f USING unnest(${sql.param(reposts.map((r) => r.authorId))}::int[], ${sql.param(reposts.map((r) => r.postId))}::bigint[]) AS r(reader_id, post_id)
    WHERE f.reader_id = r.reader_id AND f.post_id = r.post_id
    RETURNING f.reader_id`);
  return rows.map((row) => row.reader_id);
}

/**
 * The SQL that brings the `limit` newest posts and reposts of `authorId` into the timeline of
 * `readerId` (a new follow), when `condition` holds; those the reader has already are skipped,
 * and so is what the reader keeps out (`keptOutOnWrite`: a muted author, reposts of a muted or
 * blocked one).
 */
export function backfillQuery(readerId: number, authorId: number, limit: number, condition: SQL): SQL {
  const reader = sql`${readerId}::integer`;
  return sql`
    INSERT INTO home_feed (reader_id, author_id, post_id, original_id)
    SELECT ${readerId}, ${authorId}, p.id, coalesce(p.repost_of_id, p.id) FROM posts p LEFT JOIN posts o ON o.id = p.repost_of_id
    WHERE p.author_id = ${authorId} AND ${condition} AND ${showsInTimelineOf(reader, sql`p`)}
      AND ${keptOutOnWrite(reader, sql`p.author_id`, sql`o.author_id`)}
    ORDER BY p.id DESC LIMIT ${limit}
    ON CONFLICT DO NOTHING`;
}

/** The SQL that removes `authorId`'s posts from `readerId`'s timeline (an unfollow). */
export function unmergeQuery(readerId: number, authorId: number): SQL {
  return sql`DELETE FROM home_feed WHERE author_id = ${authorId} AND reader_id = ${readerId} RETURNING original_id`;
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
 * The entries of a page of the reader's home timeline: their feed, newest first. A row whose
 * post (or repost) was deleted, or whose author the reader no longer follows, is skipped here at
 * once, before the jobs that remove it have run; so is a row the reader does not see now
 * (`hiddenNowFrom` its author, or for a repost the original's author: muted, blocked either way,
 * suspended). The walk down the primary key stops after one page, so the cost depends on the page
 * size (and the rows hidden among it), not on `posts` nor on the reader's blocks and mutes: each
 * check is an index probe per row walked (`probedPerRow`), a repost's a primary-key probe of
 * `posts` more.
 */
export function timelineEntries(readerId: number, page: PageRequest): EntriesQuery {
  const reader = sql`${readerId}::integer`;
  return sql`
    SELECT f.post_id AS position, f.original_id AS post_id,
      CASE WHEN f.original_id <> f.post_id THEN f.author_id END AS reposted_by
    FROM home_feed f
    WHERE f.reader_id = ${readerId}
      ${page.cursor === undefined ? sql`` : sql`AND f.post_id < ${page.cursor}`}
      AND (f.author_id = ${readerId} OR EXISTS (SELECT 1 FROM follows WHERE follower_id = ${readerId} AND followee_id = f.author_id))
      AND EXISTS (SELECT 1 FROM posts WHERE id = f.post_id)
      AND NOT ${probedPerRow(sql`${hiddenNowFrom(reader, sql`f.author_id`)} OR (f.original_id <> f.post_id
        AND EXISTS (SELECT 1 FROM posts o WHERE o.id = f.original_id AND ${probedPerRow(hiddenNowFrom(reader, sql`o.author_id`))}))`)}
    ORDER BY f.post_id DESC
    LIMIT ${page.limit + 1}`;
}

/** The whole statement of a page of the reader's home timeline, posts shown as every list shows them. */
export function homeTimelineQuery(readerId: number, page: PageRequest): SQL {
  return postsQuery(timelineEntries(readerId, page), readerId);
}
