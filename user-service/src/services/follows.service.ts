/** The rules of following: idempotent, never yourself, only existing users. */
import type { Db } from '@murmur/shared/db';
import { badRequest, notFound } from '@murmur/shared/errors';
import { deleteFollow, insertFollow, listFollows } from '../repos/follows.repo.js';
import type { AccountSummary } from '../repos/account-summary.js';
import { userExists } from '../repos/users.repo.js';
import type { LiveUpdates } from '../live/live-updates.js';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';

export interface Relationship {
  id: number;
  following: boolean;
  followedBy: boolean;
}

export const userNotFound = (id: number) => notFound('USER_NOT_FOUND', `no user with id ${id}`);

/** Follows; a new follow brings the followee's `backfillPosts` newest posts into the follower's timeline. */
export async function follow(db: Db, live: LiveUpdates, backfillPosts: number, followerId: number, followeeId: number): Promise<Relationship> {
  if (followerId === followeeId) throw badRequest('CANNOT_FOLLOW_SELF', 'you cannot follow yourself');
  const result = await insertFollow(db, followerId, followeeId, backfillPosts);
  if (!result) throw userNotFound(followeeId);
  live.notificationsMade(result.notificationIds);
  return { id: followeeId, following: true, followedBy: result.followedBy };
}

/** Unfollows; the followee's posts leave the follower's timeline. */
export async function unfollow(db: Db, live: LiveUpdates, followerId: number, followeeId: number): Promise<Relationship> {
  if (followerId === followeeId) throw badRequest('CANNOT_FOLLOW_SELF', 'you cannot unfollow yourself');
  const result = await deleteFollow(db, followerId, followeeId);
  if (!result) throw userNotFound(followeeId);
  live.postsLeft(result.unmerged.map((postId) => ({ postId, readerIds: [followerId] })));
  return { id: followeeId, following: false, followedBy: result.followedBy };
}

export async function listRelations(
  db: Db,
  userId: number,
  direction: 'followers' | 'following',
  page: PageRequest,
): Promise<Page<AccountSummary>> {
  const rows = await listFollows(db, userId, direction, page);
  // An empty first page may mean "no such user"; only then is the extra lookup paid.
  if (rows.length === 0 && !(await userExists(db, userId))) throw userNotFound(userId);
  return toPage(
    rows,
    page.limit,
    (row) => row.followId,
    ({ followId: _followId, ...account }) => account,
  );
}
