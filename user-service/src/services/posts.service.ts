/** The rules of posting: replies, edits, who may delete what, idempotent retries, threads, timelines. */
import { inTransaction, type Db, type SqlExecutor } from '@murmur/shared/db';
import { forbidden, notFound, unauthorized } from '@murmur/shared/errors';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';
import { findPost, selectPosts, type EntriesQuery, type ListedPost, type Post } from '../repos/post-view.repo.js';
import {
  ancestorEntries,
  authorEntries,
  authorShown,
  clearPostLinks,
  deletePost,
  findKeyedPostId,
  insertPost,
  insertPostIdempotently,
  insertPostLinks,
  lockReposts,
  listPostEdits,
  lockPostForEdit,
  postShown,
  replyEntries,
  updatePostText,
  type NewPost,
} from '../repos/posts.repo.js';
import { notifyPostAudience } from '../repos/notifications.repo.js';
import { lockTimelineForPost, timelineEntries } from '../timeline/feed.repo.js';
import { retractReposts, walkFollowers, type TimelineJob, type TimelineJobs } from '../timeline/timeline-jobs.js';
import type { Enqueue } from '../timeline/job-queue.js';
import { userNotFound } from './follows.service.js';
import type { LiveUpdates } from '../live/live-updates.js';
import { hashtags, mentionedNames } from '@murmur/shared/text-links';
import { claimMedia } from '@murmur/shared/media';

export const postNotFound = (id: number) => notFound('POST_NOT_FOUND', `no post with id ${id}`);

/** A page of a list of posts, its cursor the list's own position. */
export async function pageOfPosts(db: Db, entries: EntriesQuery, viewerId: number | undefined, limit: number, order: 'asc' | 'desc' = 'desc'): Promise<Page<Post>> {
  const rows = await selectPosts(db, entries, viewerId, order);
  return toPage(
    rows,
    limit,
    (row: ListedPost) => row.position,
    (row) => row.post,
  );
}

/** Where a post goes on its way out: the timeline jobs, and how many followers the request serves itself. */
export interface Delivery {
  jobs: TimelineJobs;
  /** Followers a request writes the post to (or removes it from) before answering; jobs do the rest. */
  inlineFollowers: number;
  /** Tells stream connections, once a change has committed, of the notifications and timeline changes it made. */
  live: LiveUpdates;
}

/**
 * Stores what the text links to, and notifies the accounts it mentions and the author it
 * answers; resolves the notifications made.
 */
async function linkAndNotify(tx: SqlExecutor, postId: number, text: string): Promise<number[]> {
  await insertPostLinks(tx, postId, mentionedNames(text), hashtags(text));
  return notifyPostAudience(tx, postId);
}

/**
 * Creates a post, or a reply. With an idempotency key, a retry within 24 hours returns the post
 * the key first created instead of a duplicate (`replayed`). The author and their first
 * `inlineFollowers` followers have it in their timelines when the request answers; a job,
 * committed with the post, writes it into the other followers' timelines, and the request never
 * waits for it, however many followers there are.
 */
export async function createPost(
  db: Db,
  delivery: Delivery,
  authorId: number,
  newPost: NewPost,
  idempotencyKey?: string,
): Promise<{ post: Post; replayed: boolean }> {
  const created = await delivery.jobs.write(async (tx, enqueue) => {
    await lockTimelineForPost(tx, authorId);
    const made = idempotencyKey
      ? await insertPostIdempotently(tx, authorId, newPost, idempotencyKey)
      : await insertPost(tx, authorId, newPost).then((postId) => (postId === undefined ? undefined : { postId, replayed: false }));
    if (!made || made.replayed) return made && { ...made, notificationIds: [], readers: [] };
    // A refused picture (someone else's, attached already) rolls the whole post back.
    await claimMedia(tx, { ownerId: authorId, ids: newPost.mediaIds ?? [], use: 'post', postId: made.postId });
    const notificationIds = await linkAndNotify(tx, made.postId, newPost.text);
    const readers = await walkFollowers(tx, enqueue, { kind: 'deliver', postId: made.postId, authorId, after: 0 }, delivery.inlineFollowers);
    return { ...made, notificationIds, readers: [authorId, ...readers] };
  });
  if (!created) {
    // Nothing was written: the post replied to is gone, or else the author's own account is.
    if (newPost.inReplyToId !== undefined) throw postNotFound(newPost.inReplyToId);
    throw unauthorized('SESSION_REVOKED', 'the account no longer exists');
  }
  delivery.live.notificationsMade(created.notificationIds);
  delivery.live.postEntered(created.postId, created.readers);
  const post = await findPost(db, created.postId, authorId);
  if (!post) throw postNotFound(created.postId); // deleted in the instant since it was written
  return { post, replayed: created.replayed };
}

/** The post an Idempotency-Key already created (a replay), if any. */
export async function replayedPost(db: Db, authorId: number, idempotencyKey: string): Promise<Post | undefined> {
  const postId = await findKeyedPostId(db, authorId, idempotencyKey);
  return postId === undefined ? undefined : findPost(db, postId, authorId);
}

export async function getPost(db: Db, postId: number, viewerId: number | undefined): Promise<Post> {
  const post = await findPost(db, postId, viewerId);
  if (!post) throw postNotFound(postId);
  return post;
}

/**
 * Replaces the text of one of the caller's posts. The text it had is kept as an earlier version,
 * mentions and tags are read again, and every timeline shows the new text at once (they show the
 * post's row). An unchanged text changes nothing (`changed` is false).
 */
export async function editPost(db: Db, live: LiveUpdates, postId: number, userId: number, text: string): Promise<{ post: Post; changed: boolean }> {
  const notificationIds = await inTransaction(db.$client, async (tx) => {
    const current = await lockPostForEdit(tx, postId);
    if (!current) throw postNotFound(postId);
    if (current.authorId !== userId) throw forbidden('NOT_POST_AUTHOR', 'only the author can edit a post');
    if (current.text === text) return undefined;
    await updatePostText(tx, postId, current, text);
    await clearPostLinks(tx, postId);
    return linkAndNotify(tx, postId, text);
  });
  if (notificationIds) live.notificationsMade(notificationIds);
  return { post: await getPost(db, postId, userId), changed: notificationIds !== undefined };
}

/** A post's earlier versions, oldest first, when the post is shown to the viewer. */
export async function postEdits(db: Db, postId: number, page: PageRequest, viewerId?: number): Promise<Page<{ text: string; editedAt: Date }>> {
  const [rows, shown] = await Promise.all([listPostEdits(db, postId, page), postShown(db, postId, viewerId)]);
  if (!shown) throw postNotFound(postId);
  return toPage(
    rows,
    page.limit,
    (row) => row.id,
    ({ text, editedAt }) => ({ text, editedAt }),
  );
}

/**
 * Deletes a post: gone from every timeline at once (timelines check the post exists); the
 * request removes its rows from the first `inlineFollowers` followers' feeds, and a job from the
 * others'. Its replies stay, still naming it; its likes and reposts go with it.
 */
/**
 * Deletes post `postId` of author `authorId` in `tx`, with what follows from it: the followers'
 * timelines (inline for the first of them, a job for the rest) and the reposts. Resolves the
 * outcome and, when deleted, the readers whose timeline showed it (to tell them once committed).
 * The author's own deletion and a moderator's share it.
 */
export async function deletePostWithEffects(
  tx: SqlExecutor,
  enqueue: Enqueue<TimelineJob>,
  delivery: Delivery,
  postId: number,
  authorId: number,
): Promise<{ result: Awaited<ReturnType<typeof deletePost>>; readers: number[] }> {
  const reposts = await lockReposts(tx, postId);
  const result = await deletePost(tx, postId, authorId);
  if (result !== 'deleted') return { result, readers: [] };
  const readers = await walkFollowers(tx, enqueue, { kind: 'retract', postId, authorId, after: 0 }, delivery.inlineFollowers);
  await retractReposts(enqueue, reposts, postId);
  return { result, readers: [authorId, ...readers] };
}

export async function removePost(delivery: Delivery, postId: number, userId: number): Promise<void> {
  const outcome = await delivery.jobs.write((tx, enqueue) => deletePostWithEffects(tx, enqueue, delivery, postId, userId));
  if (outcome.result === 'not_found') throw postNotFound(postId);
  if (outcome.result === 'not_author') throw forbidden('NOT_POST_AUTHOR', 'only the author can delete a post');
  delivery.live.postsLeft([{ postId, readerIds: outcome.readers }]);
}

/**
 * A user's posts and reposts, newest first, as the viewer sees them. A suspended user, or one who
 * blocks the viewer, is not found; one the viewer blocks has an empty list.
 */
export async function postsByAuthor(db: Db, authorId: number, page: PageRequest, viewerId: number | undefined): Promise<Page<Post>> {
  const result = await pageOfPosts(db, authorEntries(authorId, page, viewerId), viewerId, page.limit);
  // An empty page may mean "no such user (for this viewer)"; only then is the extra lookup paid.
  if (result.items.length === 0 && !(await authorShown(db, authorId, viewerId))) throw userNotFound(authorId);
  return result;
}

export function timeline(db: Db, readerId: number, page: PageRequest): Promise<Page<Post>> {
  return pageOfPosts(db, timelineEntries(readerId, page), readerId, page.limit);
}

/** The thread above a post, root first, without the posts not shown to the viewer. */
export async function ancestors(db: Db, postId: number, viewerId: number | undefined): Promise<{ items: Post[] }> {
  const [rows, shown] = await Promise.all([selectPosts(db, ancestorEntries(postId, viewerId), viewerId), postShown(db, postId, viewerId)]);
  if (!shown) throw postNotFound(postId);
  return { items: rows.map((row) => row.post) };
}

/**
 * A post's direct replies, oldest first, without those not shown to the viewer. A deleted post's
 * replies can still be listed; a post not shown to the viewer is not found.
 */
export async function replies(db: Db, postId: number, page: PageRequest, viewerId: number | undefined): Promise<Page<Post>> {
  const [result, shown] = await Promise.all([pageOfPosts(db, replyEntries(postId, page, viewerId), viewerId, page.limit, 'asc'), postShown(db, postId, viewerId)]);
  if (shown === false || (shown === undefined && result.items.length === 0 && page.cursor === undefined)) throw postNotFound(postId);
  return result;
}
