/** Likes and reposts. */
import type { Db } from '@murmur/shared/db';
import { currentUser, numericPageQuery, pageOf, type ApiRoutes } from '@murmur/shared/http';
import type { SharedLimit } from '@murmur/shared/rate-limits';
import type { Delivery } from '../services/posts.service.js';
import { like, likers, repost, unlike, unrepost } from '../services/reactions.service.js';
import { postIdParams, postSchema, userSummarySchema } from './user.schemas.js';

/** @param postLimit a repost counts as a post against the caller's posting limit. */
export function declareReactionsRoutes(api: ApiRoutes, db: Db, delivery: Delivery, postLimit: SharedLimit): void {
  const answersPost = { description: 'the post as the caller now sees it', body: postSchema };
  const notFound = { 404: ['POST_NOT_FOUND'] };

  api.add(
    { method: 'put', path: '/posts/:id/like', tag: 'reactions', summary: 'Like a post; liking twice keeps one like', auth: 'required', params: postIdParams, response: answersPost, errors: { ...notFound, 403: ['BLOCKED'] } },
    ({ params }, req) => like(db, delivery.live, currentUser(req).id, params.id),
  );

  api.add(
    { method: 'delete', path: '/posts/:id/like', tag: 'reactions', summary: 'Take back a like', auth: 'required', params: postIdParams, response: answersPost, errors: notFound },
    ({ params }, req) => unlike(db, currentUser(req).id, params.id),
  );

  api.add(
    {
      method: 'get',
      path: '/posts/:id/likes',
      tag: 'reactions',
      summary: 'The accounts that liked a post, newest like first',
      auth: 'optional',
      params: postIdParams,
      query: numericPageQuery,
      response: { description: 'a page of accounts', body: pageOf(userSummarySchema) },
      errors: notFound,
    },
    ({ params, query }, req) => likers(db, params.id, query, req.user?.id),
  );

  api.add(
    {
      method: 'put',
      path: '/posts/:id/repost',
      tag: 'reactions',
      summary: 'Repost a post to the caller’s followers; reposting twice keeps one repost',
      description: 'The post enters the followers’ timelines with `repostedBy`, except where it is already.',
      auth: 'required',
      params: postIdParams,
      response: answersPost,
      errors: { ...notFound, 403: ['BLOCKED'], 429: ['TOO_MANY_POSTS'] },
    },
    async ({ params }, req) => {
      const userId = currentUser(req).id;
      // Only a repost that was not there before counts.
      const { post } = await postLimit.charge(String(userId), () => repost(db, delivery, userId, params.id), (result) => result.created);
      return post;
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/posts/:id/repost',
      tag: 'reactions',
      summary: 'Undo a repost; it leaves the followers’ timelines',
      auth: 'required',
      params: postIdParams,
      response: answersPost,
      errors: notFound,
    },
    ({ params }, req) => unrepost(db, delivery, currentUser(req).id, params.id),
  );
}
