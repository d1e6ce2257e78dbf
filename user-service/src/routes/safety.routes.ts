/** Blocks and mutes: PUT and DELETE /users/:id/block and /users/:id/mute, GET /blocks and /mutes. */
import type { Db } from '@murmur/shared/db';
import { currentUser, numericPageQuery, pageOf, type ApiRoutes } from '@murmur/shared/http';
import type { LiveUpdates } from '../live/live-updates.js';
import { block, listBlocks, listMutes, mute, unblock, unmute } from '../services/safety.service.js';
import { blockedAccountSchema, muteBody, mutedAccountSchema, relationshipResponse, userIdParams } from './user.schemas.js';

const answersRelationship = { description: 'the relationship after the change', body: relationshipResponse };

/** @param backfillPosts how many of a followed account's newest posts an unmute brings back into the timeline */
export function declareSafetyRoutes(api: ApiRoutes, db: Db, live: LiveUpdates, backfillPosts: number): void {
  const blockErrors = { 400: ['CANNOT_BLOCK_SELF'], 404: ['USER_NOT_FOUND'] };
  const muteErrors = { 400: ['CANNOT_MUTE_SELF'], 404: ['USER_NOT_FOUND'] };

  api.add(
    {
      method: 'put',
      path: '/users/:id/block',
      tag: 'safety',
      summary: 'Block a user; blocking twice keeps one block',
      description:
        'The follows between the two end both ways, and each loses the other’s posts from their timeline. Until the block is undone, ' +
        'neither can follow the other, reply to, like, repost or mention the other’s posts, or open or write in a direct room with ' +
        'the other (403 BLOCKED); the blocked user sees the caller’s profile and posts only when logged out.',
      auth: 'required',
      params: userIdParams,
      response: answersRelationship,
      errors: blockErrors,
    },
    async ({ params }, req) => ({ relationship: await block(db, live, currentUser(req).id, params.id) }),
  );

  api.add(
    {
      method: 'delete',
      path: '/users/:id/block',
      tag: 'safety',
      summary: 'Unblock a user; unblocking one not blocked changes nothing',
      description: 'The follows the block ended are not restored.',
      auth: 'required',
      params: userIdParams,
      response: answersRelationship,
      errors: blockErrors,
    },
    async ({ params }, req) => ({ relationship: await unblock(db, currentUser(req).id, params.id) }),
  );

  api.add(
    {
      method: 'put',
      path: '/users/:id/mute',
      tag: 'safety',
      summary: 'Mute a user; muting again sets `notifications` anew',
      description:
        'The follow stays; the user’s posts and reposts leave the caller’s timeline, and their notifications too unless ' +
        '`notifications` is false. The muted user is not told.',
      auth: 'required',
      params: userIdParams,
      body: muteBody,
      response: answersRelationship,
      errors: muteErrors,
    },
    async ({ params, body }, req) => ({ relationship: await mute(db, currentUser(req).id, params.id, body.notifications) }),
  );

  api.add(
    {
      method: 'delete',
      path: '/users/:id/mute',
      tag: 'safety',
      summary: 'Unmute a user; unmuting one not muted changes nothing',
      description: `When the caller follows the user, the user’s newest ${backfillPosts} posts are in the caller’s timeline again.`,
      auth: 'required',
      params: userIdParams,
      response: answersRelationship,
      errors: muteErrors,
    },
    async ({ params }, req) => ({ relationship: await unmute(db, backfillPosts, currentUser(req).id, params.id) }),
  );

  const lists = [
    { path: '/blocks', summary: 'The users the caller blocks, newest block first', item: blockedAccountSchema, list: listBlocks },
    { path: '/mutes', summary: 'The users the caller mutes, newest mute first', item: mutedAccountSchema, list: listMutes },
  ] as const;
  for (const { path, summary, item, list } of lists) {
    api.add(
      { method: 'get', path, tag: 'safety', summary, auth: 'required', query: numericPageQuery, response: { description: 'a page of users', body: pageOf(item) } },
      ({ query }, req) => list(db, currentUser(req).id, query),
    );
  }
}
