/** The rules of following: idempotent, never yourself, only existing users, never across a block. */
import { poolExecutor, type Db } from '@murmur/shared/db';
import { badRequest, notFound } from '@murmur/shared/errors';
import { deleteFollow, insertFollow, listFollows } from '../repos/follows.repo.js';
import type { AccountSummary } from '../repos/account-summary.js';
import { authorShown } from '../repos/posts.repo.js';
import { findRelationship, type Relationship } from '../repos/safety.repo.js';
import type { LiveUpdates } from '../live/live-updates.js';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';

export const userNotFound = (id: number) => notFound('USER_NOT_FOUND', `no user with id ${id}`);

/** Tells `readerId`'s live connections that posts `postIds` left their timeline (a follow ended). */
export function postsLeftTimeline(live: LiveUpdates, readerId: number, postIds: readonly number[]): void {
  live.postsLeft(postIds.map((postId) => ({ postId, readerIds: [readerId] })));
}

/**
 * Follows; a new follow brings the followee's `backfillPosts` newest posts into the follower's
 * timeline. A follow between two accounts one of which blocks the other is refused by the
 * database (403 BLOCKED).
 */
export async function follow(db: Db, live: LiveUpdates, backfillPosts: number, followerId: number, followeeId: number): Promise<Relationship> {
  if (followerId === followeeId) throw badRequest('CANNOT_FOLLOW_SELF', 'you cannot follow yourself');
  const result = await insertFollow(db, followerId, followeeId, backfillPosts);
  if (!result) throw userNotFound(followeeId);
  live.notificationsMade(result.notificationIds);
  return findRelationship(poolExecutor(db.$client), followerId, followeeId);
}

/** Unfollows; the followee's posts leave the follower's timeline. */
export async function unfollow(db: Db, live: LiveUpdates, followerId: number, followeeId: number): Promise<Relationship> {
  if (followerId === followeeId) throw badRequest('CANNOT_FOLLOW_SELF', 'you cannot unfollow yourself');
  const result = await deleteFollow(db, followerId, followeeId);
  if (!result) throw userNotFound(followeeId);
  postsLeftTimeline(live, followerId, result.unmerged);
  return findRelationship(poolExecutor(db.$client), followerId, followeeId);
}

/**
 * Who follows the user, or whom they follow, as `viewerId` may see them (anonymous when
 * undefined): the list of an account whose profile is not shown to the viewer is not found, and
 * the accounts not shown to the viewer are left out.
 */
export async function listRelations(
  db: Db,
  userId: number,
  direction: 'followers' | 'following',
  page: PageRequest,
  viewerId?: number,
): Promise<Page<AccountSummary>> {
  const [rows, shown] = await Promise.all([listFollows(db, userId, direction, page, viewerId), authorShown(db, userId, viewerId)]);
  if (!shown) throw userNotFound(userId);
  return toPage(
    rows,
    page.limit,
    (row) => row.followId,
    ({ followId: _followId, ...account }) => account,
  );
}
