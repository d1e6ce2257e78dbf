/** POST /follow and POST /unfollow. */
import type { Db } from '@murmur/shared/db';
import { currentUser, type ApiRoutes } from '@murmur/shared/http';
import { follow, unfollow } from '../services/follows.service.js';
import { followQuery, relationshipResponse, unfollowQuery } from './user.schemas.js';
import type { LiveUpdates } from '../live/live-updates.js';

const errors = { 400: ['CANNOT_FOLLOW_SELF'], 404: ['USER_NOT_FOUND'] };
/** A follow between two accounts one of which blocks the other is refused. */
const followErrors = { ...errors, 403: ['BLOCKED'] };

/** @param backfillPosts how many of a newly followed account's newest posts enter the follower's timeline */
export function declareFollowsRoutes(api: ApiRoutes, db: Db, live: LiveUpdates, backfillPosts: number): void {
  api.add(
    {
      method: 'post',
      path: '/follow',
      tag: 'follows',
      summary: 'Follow a user; following twice keeps one follow',
      description: `The followed user's newest ${backfillPosts} posts enter the caller's timeline at once.`,
      auth: 'required',
      query: followQuery,
      response: { description: 'the relationship after the follow', body: relationshipResponse },
      errors: followErrors,
    },
    async ({ query }, req) => ({ relationship: await follow(db, live, backfillPosts, currentUser(req).id, query.toFollowId) }),
  );

  api.add(
    {
      method: 'post',
      path: '/unfollow',
      tag: 'follows',
      summary: 'Stop following a user; unfollowing one not followed changes nothing',
      auth: 'required',
      query: unfollowQuery,
      response: { description: 'the relationship after the unfollow', body: relationshipResponse },
      errors,
    },
    async ({ query }, req) => ({ relationship: await unfollow(db, live, currentUser(req).id, query.toUnfollowId) }),
  );
}
