/** Posts and the home timeline. */
import type { Db } from '@murmur/shared/db';
import { currentUser, numericPageQuery, pageOf, type ApiRoutes } from '@murmur/shared/http';
import type { SharedLimit } from '@murmur/shared/rate-limits';
import { createPost, getPost, postsByAuthor, removePost, replayedPost, timeline, type Delivery } from '../services/posts.service.js';
import { postBody, postHeaders, postIdParams, postSchema, userIdParams } from './user.schemas.js';

/** @param postLimit posts per author per window, counted after the input is valid; replays and outages are not counted. */
export function declarePostsRoutes(api: ApiRoutes, db: Db, delivery: Delivery, postLimit: SharedLimit): void {
  api.add(
    {
      method: 'post',
      path: '/posts',
      tag: 'posts',
      summary: 'Post',
      description: 'The post reaches the followers’ timelines: the first ones before the answer, the rest shortly after.',
      auth: 'required',
      body: postBody,
      headers: postHeaders,
      response: { status: 201, description: 'the post (or, for a repeated Idempotency-Key, the first one)', body: postSchema },
      errors: { 429: ['TOO_MANY_POSTS'] },
    },
    async ({ body, headers }, req) => {
      const key = headers['Idempotency-Key'];
      const authorId = currentUser(req).id;
      // A replay makes nothing new, so it is answered even at the limit and never counted.
      const replay = key === undefined ? undefined : await replayedPost(db, authorId, key);
      if (replay) return replay;
      const { post } = await postLimit.charge(
        String(authorId),
        () => createPost(db, delivery, authorId, body.text, key),
        (created) => !created.replayed,
      );
      return post;
    },
  );

  api.add(
    {
      method: 'get',
      path: '/posts/:id',
      tag: 'posts',
      summary: 'One post',
      auth: 'none',
      params: postIdParams,
      response: { description: 'the post', body: postSchema },
      errors: { 404: ['POST_NOT_FOUND'] },
    },
    ({ params }) => getPost(db, params.id),
  );

  api.add(
    {
      method: 'delete',
      path: '/posts/:id',
      tag: 'posts',
      summary: 'Delete one of the caller’s posts; it leaves every timeline',
      auth: 'required',
      params: postIdParams,
      response: { status: 204, description: 'deleted' },
      errors: { 403: ['NOT_POST_AUTHOR'], 404: ['POST_NOT_FOUND'] },
    },
    async ({ params }, req) => {
      await removePost(delivery, params.id, currentUser(req).id);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/users/:id/posts',
      tag: 'posts',
      summary: 'A user’s posts, newest first',
      auth: 'none',
      params: userIdParams,
      query: numericPageQuery,
      response: { description: 'a page of posts', body: pageOf(postSchema) },
      errors: { 404: ['USER_NOT_FOUND'] },
    },
    ({ params, query }) => postsByAuthor(db, params.id, query),
  );

  api.add(
    {
      method: 'get',
      path: '/timeline',
      tag: 'posts',
      summary: 'The home timeline: posts of the accounts the caller follows, and their own, newest first',
      auth: 'required',
      query: numericPageQuery,
      response: { description: 'a page of posts', body: pageOf(postSchema) },
    },
    ({ query }, req) => timeline(db, currentUser(req).id, query),
  );
}
