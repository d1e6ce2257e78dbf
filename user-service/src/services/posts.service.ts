/** The rules of posting: who may delete what, idempotent retries, timelines. */
import type { Db } from '@murmur/shared/db';
import { forbidden, notFound } from '@murmur/shared/errors';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';
import {
  deletePost,
  findKeyedPostId,
  findPost,
  insertPost,
  insertPostIdempotently,
  listPostsByAuthor,
  listTimeline,
  type Post,
} from '../repos/posts.repo.js';
import { userExists } from '../repos/users.repo.js';
import { lockTimelineForPost } from '../timeline/feed.repo.js';
import { walkFollowers, type TimelineJobs } from '../timeline/timeline-jobs.js';
import { userNotFound } from './follows.service.js';

const postNotFound = (id: number) => notFound('POST_NOT_FOUND', `no post with id ${id}`);
const pageOfPosts = (rows: Post[], limit: number): Page<Post> =>
  toPage(
    rows,
    limit,
    (post) => post.id,
    (post) => post,
  );

/** Where a post goes on its way out: the timeline jobs, and how many followers the request serves itself. */
export interface Delivery {
  jobs: TimelineJobs;
  /** Followers a request writes the post to (or removes it from) before answering; jobs do the rest. */
  inlineFollowers: number;
}

/**
 * Creates a post. With an idempotency key, a retry within 24 hours returns the post the key
 * first created instead of a duplicate (`replayed`). The author and their first
 * `inlineFollowers` followers have it in their timelines when the request answers; a job,
 * committed with the post, writes it into the other followers' timelines, and the request never
 * waits for it, however many followers there are.
 */
export async function createPost(
  db: Db,
  delivery: Delivery,
  authorId: number,
  text: string,
  idempotencyKey?: string,
): Promise<{ post: Post; replayed: boolean }> {
  const { postId, replayed } = await delivery.jobs.write(async (tx, enqueue) => {
    await lockTimelineForPost(tx, authorId);
    const created = idempotencyKey
      ? await insertPostIdempotently(tx, authorId, text, idempotencyKey)
      : { postId: await insertPost(tx, authorId, text), replayed: false };
    if (!created.replayed) {
      await walkFollowers(tx, enqueue, { kind: 'deliver', postId: created.postId, authorId, after: 0 }, delivery.inlineFollowers);
    }
    return created;
  });
  const post = await findPost(db, postId);
  if (!post) throw postNotFound(postId); // deleted in the instant since it was written
  return { post, replayed };
}

/** The post an Idempotency-Key already created (a replay), if any. */
export async function replayedPost(db: Db, authorId: number, idempotencyKey: string): Promise<Post | undefined> {
  const postId = await findKeyedPostId(db, authorId, idempotencyKey);
  return postId === undefined ? undefined : findPost(db, postId);
}

export async function getPost(db: Db, postId: number): Promise<Post> {
  const post = await findPost(db, postId);
  if (!post) throw postNotFound(postId);
  return post;
}

/**
 * Deletes a post: gone from every timeline at once (timelines join `posts`); the request removes
 * its rows from the first `inlineFollowers` followers' feeds, and a job from the others'.
 */
export async function removePost(delivery: Delivery, postId: number, userId: number): Promise<void> {
  const outcome = await delivery.jobs.write(async (tx, enqueue) => {
    const result = await deletePost(tx, postId, userId);
    if (result === 'deleted') await walkFollowers(tx, enqueue, { kind: 'retract', postId, authorId: userId, after: 0 }, delivery.inlineFollowers);
    return result;
  });
  if (outcome === 'not_found') throw postNotFound(postId);
  if (outcome === 'not_author') throw forbidden('NOT_POST_AUTHOR', 'only the author can delete a post');
}

export async function postsByAuthor(db: Db, authorId: number, page: PageRequest): Promise<Page<Post>> {
  const rows = await listPostsByAuthor(db, authorId, page);
  if (rows.length === 0 && !(await userExists(db, authorId))) throw userNotFound(authorId);
  return pageOfPosts(rows, page.limit);
}

export async function timeline(db: Db, readerId: number, page: PageRequest): Promise<Page<Post>> {
  return pageOfPosts(await listTimeline(db, readerId, page), page.limit);
}
