/** Queries on posts, their idempotency keys, and the home timeline. */
import { sql, type SQL } from 'drizzle-orm';
import { runSql, type Db, type SqlExecutor } from '@murmur/shared/db';
import type { PageRequest } from '@murmur/shared/http';
import { homeTimelineQuery } from '../timeline/feed.repo.js';

export interface Post {
  id: number;
  author: { id: number; username: string };
  text: string;
  createdAt: Date;
}

export interface PostRow extends Record<string, unknown> {
  id: number;
  author_id: number;
  username: string;
  text: string;
  created_at: Date | string;
}

/** How long an Idempotency-Key keeps returning the post it first created. */
export const IDEMPOTENCY_WINDOW = sql`interval '24 hours'`;

export const toPost = (row: PostRow): Post => ({
  id: Number(row.id),
  author: { id: row.author_id, username: row.username },
  text: row.text,
  createdAt: new Date(row.created_at),
});

/** The query behind every post list: posts with their authors, filtered by `where`, newest first. */
function postsQuery(where: SQL, page?: PageRequest): SQL {
  return sql`
    SELECT p.id, p.author_id, u.username, p.text, p.created_at
    FROM posts p JOIN users u ON u.id = p.author_id
    WHERE ${where} ${page?.cursor === undefined ? sql`` : sql`AND p.id < ${page.cursor}`}
    ORDER BY p.id DESC
    ${page ? sql`LIMIT ${page.limit + 1}` : sql``}`;
}

/** Runs a posts query; a page query fetches one extra row to detect a next page. */
async function selectPosts(db: Db, where: SQL, page?: PageRequest): Promise<Post[]> {
  const { rows } = await db.execute<PostRow>(postsQuery(where, page));
  return rows.map(toPost);
}

export async function findPost(db: Db, postId: number): Promise<Post | undefined> {
  return (await selectPosts(db, sql`p.id = ${postId}`))[0];
}

export function listPostsByAuthor(db: Db, authorId: number, page: PageRequest): Promise<Post[]> {
  return selectPosts(db, sql`p.author_id = ${authorId}`, page);
}

export async function listTimeline(db: Db, readerId: number, page: PageRequest): Promise<Post[]> {
  const { rows } = await db.execute<PostRow>(homeTimelineQuery(readerId, page));
  return rows.map(toPost);
}

/** Stores a post and writes it into its author's own timeline, in one statement. */
export async function insertPost(tx: SqlExecutor, authorId: number, text: string): Promise<number> {
  const [row] = await runSql<{ id: number }>(tx, sql`
    WITH post AS (INSERT INTO posts (author_id, text) VALUES (${authorId}, ${text}) RETURNING id),
    own_timeline AS (INSERT INTO home_feed (reader_id, author_id, post_id) SELECT ${authorId}, ${authorId}, id FROM post)
    SELECT id FROM post`);
  return Number(row!.id);
}

/** A post created under an Idempotency-Key, or the one the key had already created (`replayed`). */
export interface KeyedPost {
  postId: number;
  replayed: boolean;
}

/** The id of the post `key` created for `authorId` within the window, if any. */
export async function findKeyedPostId(db: Db, authorId: number, key: string): Promise<number | undefined> {
  const { rows } = await db.execute<{ post_id: number }>(sql`
    SELECT post_id FROM post_idempotency_keys
    WHERE user_id = ${authorId} AND key = ${key} AND created_at > now() - ${IDEMPOTENCY_WINDOW}`);
  return rows[0] ? Number(rows[0].post_id) : undefined;
}

/**
 * Creates a post under an Idempotency-Key inside transaction `tx`, or finds the post the key
 * already created within the window. Two concurrent requests with one key serialize on the key's
 * primary key: the second sees the first's row and deletes its own post again.
 */
export async function insertPostIdempotently(tx: SqlExecutor, authorId: number, text: string, key: string): Promise<KeyedPost> {
  const [existing] = await runSql<{ post_id: number }>(tx, sql`
    SELECT post_id FROM post_idempotency_keys
    WHERE user_id = ${authorId} AND key = ${key} AND created_at > now() - ${IDEMPOTENCY_WINDOW}`);
  if (existing) return { postId: Number(existing.post_id), replayed: true };

  const postId = await insertPost(tx, authorId, text);
  const [claimed] = await runSql<{ post_id: number }>(tx, sql`
    INSERT INTO post_idempotency_keys (user_id, key, post_id) VALUES (${authorId}, ${key}, ${postId})
    ON CONFLICT (user_id, key) DO UPDATE SET post_id = EXCLUDED.post_id, created_at = now()
      WHERE post_idempotency_keys.created_at <= now() - ${IDEMPOTENCY_WINDOW}
    RETURNING post_id`);
  if (claimed) return { postId, replayed: false };
  // Another request claimed the key first: undo this post and answer with that one.
  await runSql(tx, sql`
    WITH gone AS (DELETE FROM posts WHERE id = ${postId})
    DELETE FROM home_feed WHERE reader_id = ${authorId} AND post_id = ${postId}`);
  const [winner] = await runSql<{ post_id: number }>(tx, sql`
    SELECT post_id FROM post_idempotency_keys WHERE user_id = ${authorId} AND key = ${key}`);
  return { postId: Number(winner!.post_id), replayed: true };
}

/**
 * Deletes a post if `authorId` wrote it, and takes it out of their own timeline; reports whether
 * it existed and whose it was. Followers' timelines stop showing it at once (they join `posts`).
 */
export async function deletePost(tx: SqlExecutor, postId: number, authorId: number): Promise<'deleted' | 'not_found' | 'not_author'> {
  const [row] = await runSql<{ author_id: number | null; deleted: boolean }>(tx, sql`
    WITH target AS (SELECT author_id FROM posts WHERE id = ${postId}),
    deleted AS (DELETE FROM posts WHERE id = ${postId} AND author_id = ${authorId} RETURNING id),
    own_timeline AS (DELETE FROM home_feed WHERE reader_id = ${authorId} AND post_id IN (SELECT id FROM deleted))
    SELECT (SELECT author_id FROM target) AS author_id, EXISTS (SELECT 1 FROM deleted) AS deleted`);
  if (!row || row.author_id === null) return 'not_found';
  if (row.deleted) return 'deleted';
  // The author's own post vanished between the two reads: a concurrent delete won.
  return row.author_id === authorId ? 'not_found' : 'not_author';
}
