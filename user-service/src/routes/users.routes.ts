/** Profiles, follower lists and account deletion. */
import type { Db } from '@murmur/shared/db';
import { currentUser, numericPageQuery, pageOf, type ApiRoutes } from '@murmur/shared/http';
import { listRelations } from '../services/follows.service.js';
import type { TimelineJobs } from '../timeline/timeline-jobs.js';
import { deleteAccount, editOwnProfile, getOwnProfile, getProfile } from '../services/users.service.js';
import { ownProfileSchema, profileChangesBody, userIdParams, userSummarySchema, viewedProfileSchema } from './user.schemas.js';

export function declareUsersRoutes(api: ApiRoutes, db: Db, jobs: TimelineJobs): void {
  api.add(
    { method: 'get', path: '/me', tag: 'users', summary: 'The caller’s own profile, with their email', auth: 'required', response: { description: 'the profile', body: ownProfileSchema } },
    (_input, req) => getOwnProfile(db, currentUser(req).id),
  );

  api.add(
    {
      method: 'patch',
      path: '/me',
      tag: 'users',
      summary: 'Change the caller’s display name, bio and avatar',
      description: 'A field left out stays as it is. A new avatar replaces the old one, whose picture is deleted.',
      auth: 'required',
      body: profileChangesBody,
      response: { description: 'the profile as changed', body: ownProfileSchema },
      errors: { 404: ['MEDIA_NOT_FOUND'], 409: ['MEDIA_ALREADY_ATTACHED', 'MEDIA_NOT_FOR_THIS_ROOM'] },
    },
    ({ body }, req) => editOwnProfile(db, currentUser(req).id, body),
  );

  api.add(
    {
      method: 'delete',
      path: '/delete',
      tag: 'users',
      summary: 'Delete the caller’s account',
      description: 'Its sessions end at once, its posts and follows go, and its chat messages remain as tombstones.',
      auth: 'required',
      response: { status: 204, description: 'deleted' },
    },
    async (_input, req) => {
      await deleteAccount(jobs, currentUser(req).id);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/users/:id',
      tag: 'users',
      summary: 'A user’s profile, with the caller’s relationship to them when logged in',
      auth: 'optional',
      params: userIdParams,
      response: { description: 'the profile', body: viewedProfileSchema },
      errors: { 404: ['USER_NOT_FOUND'] },
    },
    ({ params }, req) => getProfile(db, params.id, req.user?.id),
  );

  for (const direction of ['followers', 'following'] as const) {
    api.add(
      {
        method: 'get',
        path: `/users/:id/${direction}`,
        tag: 'follows',
        summary: direction === 'followers' ? 'Who follows the user, newest follow first' : 'Whom the user follows, newest follow first',
        description: 'Without the accounts not shown to the caller (suspended, or blocked either way).',
        auth: 'optional',
        params: userIdParams,
        query: numericPageQuery,
        response: { description: 'a page of users', body: pageOf(userSummarySchema) },
        errors: { 404: ['USER_NOT_FOUND'] },
      },
      ({ params, query }, req) => listRelations(db, params.id, direction, query, req.user?.id),
    );
  }
}
