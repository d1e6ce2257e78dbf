/**
 * Queries on posts, reposts, replies, edits, what a text links to, and idempotency keys. How a
 * post is shown is post-view.repo.ts's; this module finds and writes the rows.
 */
import { sql } from 'drizzle-orm';
import { FOREIGN_KEY_VIOLATION, pgErrorOf, runSql, type Db, type SqlExecutor } from '@murmur/shared/db';
import type { PageRequest } from '@murmur/shared/http';
import { madeIds, notifyRows, toIds } from '@murmur/shared/notifications';
import { isSuspended, probedPerRow, profileShownTo, shownTo } from '@murmur/shared/safety';
import type { EntriesQuery } from './post-view.repo.js';

/** How long an Idempotency-Key keeps returning the post it first created. */
export const IDEMPOTENCY_WINDOW = sql`interval '24 hours'`;

/** Most ancestors a thread shows above a post (Mastodon's context shows about as many). */
export const MAX_ANCESTORS = 40;

/**
 * A write that found its post and then waited for it while it was deleted fails its foreign key
 * (a repost's, or the counts row a reply or repost adds to): no rows, as if the post had been
 * gone from the start. The transaction is aborted, so the caller writes nothing more in it.
 */
function onDeletedMeanwhile(err: unknown): never[] {
  if (pgErrorOf(err)?.code === FOREIGN_KEY_VIOLATION) return [];
  throw err;
}

/** What a new post says, and what it answers. */
export interface NewPost {
  text: string;
  inReplyToId?: number;
  /** The author's uploads the post shows, in order. */
  mediaIds?: readonly number[];
}

/** Only rows before (or after) the cursor, for keyset paging. */
export const idBefore = (cursor: number | undefined) => (cursor === undefined ? sql`` : sql`AND id < ${cursor}`);
export const idAfter = (cursor: number | undefined) => (cursor === undefined ? sql`` : sql`AND id > ${cursor}`);

/**
 * Stores a post and writes it into its author's own timeline, in one statement. A reply takes
 * the post and author it answers from the row of that post; resolves undefined when that post
 * does not exist (or is a repost's row, which no answer names, or its author is suspended).
 */
export async function insertPost(tx: SqlExecutor, authorId: number, post: NewPost): Promise<number | undefined> {
  const source =
    post.inReplyToId === undefined
      ? sql`SELECT ${authorId}::integer, ${post.text}, NULL::bigint, NULL::integer`
      : sql`SELECT ${authorId}::integer, ${post.text}, id, author_id FROM posts
            WHERE id = ${post.inReplyToId} AND repost_of_id IS NULL AND NOT ${isSuspended(sql`posts.author_id`)}`;
  const rows = await runSql<{ id: number }>(tx, sql`
    WITH post AS (
      INSERT INTO posts (author_id, text, in_reply_to_id, in_reply_to_user_id) ${source} RETURNING id
    ),
    own_timeline AS (
      INSERT INTO home_feed (reader_id, author_id, post_id, original_id) SELECT ${authorId}, ${authorId}, id, id FROM post
    )
    SELECT id FROM post`).catch(onDeletedMeanwhile);
  return rows[0] ? Number(rows[0].id) : undefined;
}

/**
 * Stores what `text` links to: the accounts among `mentionedNames` (lower case) that exist, and
 * `tags`, each in the order the text names them. For a new post, or after clearPostLinks.
 */
export async function insertPostLinks(tx: SqlExecutor, postId: number, mentionedNames: string[], tags: string[]): Promise<void> {
  if (mentionedNames.length === 0 && tags.length === 0) return;
  await runSql(tx, sql`
    WITH mentioned AS (
      INSERT INTO post_mentions (post_id, user_id, position)
      SELECT ${postId}, u.id, n.position
      FROM unnest(${sql.param(mentionedNames)}::text[]) WITH ORDINALITY AS n(name, position)
      JOIN users u ON lower(u.username) = n.name
    ),
    tagged AS (
      INSERT INTO post_tags (post_id, tag, author_id, created_at, position)
      SELECT p.id, t.tag, p.author_id, p.created_at, t.position
      FROM posts p, unnest(${sql.param(tags)}::text[]) WITH ORDINALITY AS t(tag, position)
      WHERE p.id = ${postId}
    )
    SELECT 1`);
}

/** Forgets what a post's text linked to, before an edit stores the new text's links. */
export async function clearPostLinks(tx: SqlExecutor, postId: number): Promise<void> {
  await runSql(tx, sql`
    WITH mentions AS (DELETE FROM post_mentions WHERE post_id = ${postId})
    DELETE FROM post_tags WHERE post_id = ${postId}`);
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
 * primary key: the second sees the first's row and deletes its own post again. Resolves
 * undefined when the post replied to does not exist.
 */
export async function insertPostIdempotently(tx: SqlExecutor, authorId: number, post: NewPost, key: string): Promise<KeyedPost | undefined> {
  const [existing] = await runSql<{ post_id: number }>(tx, sql`
    SELECT post_id FROM post_idempotency_keys
    WHERE user_id = ${authorId} AND key = ${key} AND created_at > now() - ${IDEMPOTENCY_WINDOW}`);
  if (existing) return { postId: Number(existing.post_id), replayed: true };

  const postId = await insertPost(tx, authorId, post);
  if (postId === undefined) return undefined;
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
 * Deletes a row of `posts` (a post, or a repost's row) if `authorId` owns it, and takes it out of
 * their own timeline; reports whether it existed and whose it was. Followers' timelines stop
 * showing it at once (they check the row exists).
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

/**
 * The reposts of a post about to be deleted: their rows and who made them. The post's row is
 * locked first, so a repost made meanwhile waits for the deletion and then finds no post.
 */
export async function lockReposts(tx: SqlExecutor, postId: number): Promise<Array<{ postId: number; authorId: number }>> {
  await runSql(tx, sql`SELECT 1 FROM posts WHERE id = ${postId} FOR UPDATE`);
  const rows = await runSql<{ id: number | string; author_id: number }>(tx, sql`SELECT id, author_id FROM posts WHERE repost_of_id = ${postId}`);
  return rows.map((row) => ({ postId: Number(row.id), authorId: row.author_id }));
}

/** The reposts others made of `authorId`'s posts, which go with the account. */
export async function repostsOfAuthor(tx: SqlExecutor, authorId: number): Promise<Array<{ postId: number; authorId: number }>> {
  const rows = await runSql<{ id: number | string; author_id: number }>(tx, sql`
    SELECT r.id, r.author_id FROM posts p JOIN posts r ON r.repost_of_id = p.id
    WHERE p.author_id = ${authorId} AND p.repost_of_id IS NULL AND r.author_id <> ${authorId}`);
  return rows.map((row) => ({ postId: Number(row.id), authorId: row.author_id }));
}

/** A post to edit, locked until the transaction ends so two edits keep every version. */
export interface EditablePost {
  authorId: number;
  text: string;
  /** When the current text was written: the last edit, or the post's creation. */
  writtenAt: Date;
}

export async function lockPostForEdit(tx: SqlExecutor, postId: number): Promise<EditablePost | undefined> {
  const [row] = await runSql<{ author_id: number; text: string; written_at: Date | string }>(tx, sql`
    SELECT author_id, text, coalesce(edited_at, created_at) AS written_at
    FROM posts WHERE id = ${postId} AND repost_of_id IS NULL FOR UPDATE`);
  return row ? { authorId: row.author_id, text: row.text, writtenAt: new Date(row.written_at) } : undefined;
}

/** Replaces a post's text, keeping the text it had as an earlier version. */
export async function updatePostText(tx: SqlExecutor, postId: number, previous: EditablePost, text: string): Promise<void> {
  await runSql(tx, sql`
    WITH version AS (
      INSERT INTO post_edits (post_id, text, written_at) VALUES (${postId}, ${previous.text}, ${previous.writtenAt})
    )
    UPDATE posts SET text = ${text}, edited_at = now() WHERE id = ${postId}`);
}

/** A post's earlier versions, oldest first, after version id `cursor`. */
export async function listPostEdits(db: Db, postId: number, page: PageRequest): Promise<Array<{ id: number; text: string; editedAt: Date }>> {
  const { rows } = await db.execute<{ id: number | string; text: string; written_at: Date | string }>(sql`
    SELECT id, text, written_at FROM post_edits
    WHERE post_id = ${postId} ${idAfter(page.cursor)}
    ORDER BY id LIMIT ${page.limit + 1}`);
  return rows.map((row) => ({ id: Number(row.id), text: row.text, editedAt: new Date(row.written_at) }));
}

/**
 * Whether a post (not a repost's row) is shown to `viewerId` (`shownTo`; anonymous when
 * undefined); undefined when there is no such post.
 */
export async function postShown(db: Db, postId: number, viewerId: number | undefined): Promise<boolean | undefined> {
  const { rows } = await db.execute<{ shown: boolean }>(sql`
    SELECT ${shownTo(viewerId, sql`posts.author_id`)} AS shown FROM posts WHERE id = ${postId} AND repost_of_id IS NULL`);
  return rows[0]?.shown;
}

/**
 * Whether the account `authorId` exists and its posts may be listed for `viewerId`
 * (`profileShownTo`: not suspended, and not blocking the viewer).
 */
export async function authorShown(db: Db, authorId: number, viewerId: number | undefined): Promise<boolean> {
  const { rows } = await db.execute(sql`SELECT 1 FROM users u WHERE u.id = ${authorId} AND ${profileShownTo(viewerId, sql`u.id`)}`);
  return rows.length > 0;
}

/**
 * Reposts post `postId` as `reposterId`: a row of `posts` that points at it, in the reposter's
 * own timeline unless they have the post there already. Reposting twice keeps one repost.
 * Resolves the repost row's id and whether this call made it, or undefined when the post does
 * not exist (or its author is suspended).
 */
export async function insertRepost(
  tx: SqlExecutor,
  reposterId: number,
  postId: number,
): Promise<{ repostId: number; created: boolean; notificationIds: number[] } | undefined> {
  const rows = await runSql<{ id: number; created: boolean; notification_ids: string[] }>(tx, sql`
    WITH original AS (SELECT id FROM posts WHERE id = ${postId} AND repost_of_id IS NULL AND NOT ${isSuspended(sql`posts.author_id`)}),
    inserted AS (
      INSERT INTO posts (author_id, text, repost_of_id) SELECT ${reposterId}, '', id FROM original
      ON CONFLICT (author_id, repost_of_id) WHERE repost_of_id IS NOT NULL DO NOTHING
      RETURNING id
    ),
    own_timeline AS (
      INSERT INTO home_feed (reader_id, author_id, post_id, original_id) SELECT ${reposterId}, ${reposterId}, id, ${postId} FROM inserted
      ON CONFLICT DO NOTHING
    ),
    notified AS (
      ${notifyRows('repost', sql`SELECT p.author_id AS recipient_id, ${reposterId}::integer AS account_id, p.id AS post_id FROM posts p WHERE p.id = ${postId} AND EXISTS (SELECT 1 FROM inserted)`)}
    )
    SELECT id, true AS created, ${madeIds('notified')} FROM inserted
    UNION ALL
    SELECT id, false, '{}' FROM posts WHERE author_id = ${reposterId} AND repost_of_id = ${postId} AND EXISTS (SELECT 1 FROM original)`).catch(
    onDeletedMeanwhile,
  );
  const row = rows[0];
  return row ? { repostId: Number(row.id), created: row.created, notificationIds: toIds(row.notification_ids) } : undefined;
}

/** The row of `reposterId`'s repost of `postId`, if they reposted it. */
export async function findRepostId(tx: SqlExecutor, reposterId: number, postId: number): Promise<number | undefined> {
  const [row] = await runSql<{ id: number }>(tx, sql`SELECT id FROM posts WHERE author_id = ${reposterId} AND repost_of_id = ${postId}`);
  return row ? Number(row.id) : undefined;
}

/**
 * A user's posts and reposts, newest first: reposts show the original, with the user as reposter.
 * Only what is shown to `viewerId` (anonymous when undefined): nothing when a block stands
 * between them or the user is suspended, and no repost of a post whose author is hidden so.
 */
export const authorEntries = (authorId: number, page: PageRequest, viewerId?: number): EntriesQuery => sql`
  SELECT id AS position, coalesce(repost_of_id, id) AS post_id, CASE WHEN repost_of_id IS NOT NULL THEN author_id END AS reposted_by
  FROM posts p WHERE author_id = ${authorId} ${idBefore(page.cursor)} AND ${shownTo(viewerId, sql`${authorId}::integer`)}
    AND (repost_of_id IS NULL OR EXISTS (SELECT 1 FROM posts o WHERE o.id = p.repost_of_id AND ${probedPerRow(shownTo(viewerId, sql`o.author_id`))}))
  ORDER BY id DESC LIMIT ${page.limit + 1}`;

/** A post's direct replies, oldest first, of those shown to `viewerId` (anonymous when undefined). */
export const replyEntries = (postId: number, page: PageRequest, viewerId?: number): EntriesQuery => sql`
  SELECT id AS position, id AS post_id, NULL::integer AS reposted_by
  FROM posts WHERE in_reply_to_id = ${postId} ${idAfter(page.cursor)} AND ${probedPerRow(shownTo(viewerId, sql`posts.author_id`))}
  ORDER BY id LIMIT ${page.limit + 1}`;

/**
 * The thread above a post, at most MAX_ANCESTORS, each a primary-key step up; positioned by
 * distance, so the root comes first in descending order. A deleted ancestor ends the walk (its
 * row is gone, so nothing above it is found); one not shown to `viewerId` (anonymous when
 * undefined) is left out, and the thread above it still shows.
 */
export const ancestorEntries = (postId: number, viewerId?: number): EntriesQuery => sql`
  WITH RECURSIVE up(post_id, depth) AS (
    SELECT in_reply_to_id, 1 FROM posts WHERE id = ${postId} AND in_reply_to_id IS NOT NULL
    UNION ALL
    SELECT p.in_reply_to_id, up.depth + 1 FROM up JOIN posts p ON p.id = up.post_id
    WHERE up.depth < ${MAX_ANCESTORS} AND p.in_reply_to_id IS NOT NULL
  )
  SELECT up.depth AS position, up.post_id, NULL::integer AS reposted_by FROM up
  JOIN posts a ON a.id = up.post_id WHERE ${shownTo(viewerId, sql`a.author_id`)}`;
