/** Queries on posts, their idempotency keys, and the home timeline. */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';
import type { PageRequest } from '../pagination.js';

export interface Post {
  id: number;
  author: { id: number; username: string };
  text: string;
  createdAt: Date;
}

interface PostRow extends Record<string, unknown> {
  id: number;
  author_id: number;
  username: string;
  text: string;
  created_at: Date | string;
}

/** How long an Idempotency-Key keeps returning the post it first created. */
export const IDEMPOTENCY_WINDOW = sql`interval '24 hours'`;

const toPost = (row: PostRow): Post => ({
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
    WHERE ${where} ${page?.before === undefined ? sql`` : sql`AND p.id < ${page.before}`}
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

/**
 * The home timeline: the reader's own posts and those of everyone they follow.
 *
 * Written as `author = reader OR author IN (followees)` on purpose: the OR keeps PostgreSQL
 * from turning the IN into a nested-loop semi-join (which compares every post with every
 * followee) and makes it hash the followees once, then walk `posts_pkey` backwards and stop
 * after one page. With 1,000 followees among 1,000,000 posts that reads a few hundred index
 * entries. The cost grows when the followed accounts rarely post, because the walk goes further
 * back; the benchmark shows the plan. Exported so the benchmark runs the very same SQL raw.
 */
export function timelineQuery(readerId: number, page: PageRequest): SQL {
  return postsQuery(
    sql`(p.author_id = ${readerId} OR p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = ${readerId}))`,
    page,
  );
}

export async function listTimeline(db: Db, readerId: number, page: PageRequest): Promise<Post[]> {
  const { rows } = await db.execute<PostRow>(timelineQuery(readerId, page));
  return rows.map(toPost);
}

export async function insertPost(db: Pick<Db, 'execute'>, authorId: number, text: string): Promise<number> {
  const { rows } = await db.execute<{ id: number }>(sql`INSERT INTO posts (author_id, text) VALUES (${authorId}, ${text}) RETURNING id`);
  return Number(rows[0]!.id);
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
 * Creates a post under an Idempotency-Key, or finds the post the key already created within
 * the window. Two concurrent requests with one key serialize on the key's primary key: the
 * second sees the first's row and rolls its own post back.
 */
export async function insertPostIdempotently(db: Db, authorId: number, text: string, key: string): Promise<KeyedPost> {
  return db.transaction(async (tx) => {
    const existing = await tx.execute<{ post_id: number }>(sql`
      SELECT post_id FROM post_idempotency_keys
      WHERE user_id = ${authorId} AND key = ${key} AND created_at > now() - ${IDEMPOTENCY_WINDOW}`);
    if (existing.rows[0]) return { postId: Number(existing.rows[0].post_id), replayed: true };

    const postId = await insertPost(tx, authorId, text);
    const claimed = await tx.execute<{ post_id: number }>(sql`
      INSERT INTO post_idempotency_keys (user_id, key, post_id) VALUES (${authorId}, ${key}, ${postId})
      ON CONFLICT (user_id, key) DO UPDATE SET post_id = EXCLUDED.post_id, created_at = now()
        WHERE post_idempotency_keys.created_at <= now() - ${IDEMPOTENCY_WINDOW}
      RETURNING post_id`);
    if (claimed.rows[0]) return { postId, replayed: false };
    // Another request claimed the key first: undo this post and answer with that one.
    await tx.execute(sql`DELETE FROM posts WHERE id = ${postId}`);
    const winner = await tx.execute<{ post_id: number }>(sql`
      SELECT post_id FROM post_idempotency_keys WHERE user_id = ${authorId} AND key = ${key}`);
    return { postId: Number(winner.rows[0]!.post_id), replayed: true };
  });
}

/** Deletes a post if `authorId` wrote it; reports whether it existed and whose it was. */
export async function deletePost(db: Db, postId: number, authorId: number): Promise<'deleted' | 'not_found' | 'not_author'> {
  const { rows } = await db.execute<{ author_id: number; deleted: boolean }>(sql`
    WITH target AS (SELECT author_id FROM posts WHERE id = ${postId}),
    deleted AS (DELETE FROM posts WHERE id = ${postId} AND author_id = ${authorId} RETURNING id)
    SELECT (SELECT author_id FROM target) AS author_id, EXISTS (SELECT 1 FROM deleted) AS deleted`);
  const row = rows[0];
  if (!row || row.author_id === null) return 'not_found';
  if (row.deleted) return 'deleted';
  // The author's own post vanished between the two reads: a concurrent delete won.
  return row.author_id === authorId ? 'not_found' : 'not_author';
}
