/**
 * Likes and reposts: each idempotent, each answering the post as the caller now sees it. A
 * repost is a row of `posts` that goes out through the timeline fan-out as a post does, so it
 * reaches the reposter's followers and leaves again with its undo.
 */
import type { Db } from '@murmur/shared/db';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';
import { deleteLike, insertLike, listLikers } from '../repos/likes.repo.js';
import type { AccountSummary, Post } from '../repos/post-view.repo.js';
import { deletePost, findRepostId, insertRepost, postShown } from '../repos/posts.repo.js';
import { lockTimelineForPost } from '../timeline/feed.repo.js';
import { walkFollowers } from '../timeline/timeline-jobs.js';
import { getPost, postNotFound, type Delivery } from './posts.service.js';
import type { LiveUpdates } from '../live/live-updates.js';

export async function like(db: Db, live: LiveUpdates, userId: number, postId: number): Promise<Post> {
  const made = await insertLike(db, userId, postId);
  if (!made) throw postNotFound(postId);
  live.notificationsMade(made.notificationIds);
  return getPost(db, postId, userId);
}

export async function unlike(db: Db, userId: number, postId: number): Promise<Post> {
  if (!(await deleteLike(db, userId, postId))) throw postNotFound(postId);
  return getPost(db, postId, userId);
}

/**
 * The accounts that liked a post, newest like first, as the viewer (anonymous when undefined) sees
 * them: a post not shown to them is not found, and accounts not shown to them are left out.
 */
export async function likers(db: Db, postId: number, page: PageRequest, viewerId?: number): Promise<Page<AccountSummary>> {
  const [rows, shown] = await Promise.all([listLikers(db, postId, page, viewerId), postShown(db, postId, viewerId)]);
  if (!shown) throw postNotFound(postId);
  return toPage(
    rows,
    page.limit,
    (row) => row.likeId,
    ({ likeId: _likeId, ...account }) => account,
  );
}

/**
 * Reposts a post to the caller's followers; reposting twice keeps one repost. Says whether this
 * call made the repost, which counts as a post against the posting limit (as Mastodon counts them).
 */
export async function repost(db: Db, delivery: Delivery, userId: number, postId: number): Promise<{ post: Post; created: boolean }> {
  const outcome = await delivery.jobs.write(async (tx, enqueue) => {
    await lockTimelineForPost(tx, userId);
    const made = await insertRepost(tx, userId, postId);
    if (!made?.created) return made && { ...made, readers: [] };
    const readers = await walkFollowers(tx, enqueue, { kind: 'deliver', postId: made.repostId, authorId: userId, after: 0 }, delivery.inlineFollowers);
    return { ...made, readers: [userId, ...readers] };
  });
  if (outcome?.created) {
    delivery.live.notificationsMade(outcome.notificationIds);
    delivery.live.postEntered(outcome.repostId, outcome.readers);
  }
  // A concurrent repost of the same post by the same caller commits first: it is theirs already.
  if (!outcome && !(await postShown(db, postId, userId))) throw postNotFound(postId);
  return { post: await getPost(db, postId, userId), created: outcome?.created ?? false };
}

/** Takes a repost back: it leaves the followers' timelines as a deleted post does. */
export async function unrepost(db: Db, delivery: Delivery, userId: number, postId: number): Promise<Post> {
  const readers = await delivery.jobs.write(async (tx, enqueue) => {
    const repostId = await findRepostId(tx, userId, postId);
    if (repostId === undefined || (await deletePost(tx, repostId, userId)) !== 'deleted') return [];
    const walk = { kind: 'retract', postId: repostId, authorId: userId, after: 0, shownId: postId } as const;
    return [userId, ...(await walkFollowers(tx, enqueue, walk, delivery.inlineFollowers))];
  });
  delivery.live.postsLeft([{ postId, readerIds: readers }]);
  return getPost(db, postId, userId);
}
