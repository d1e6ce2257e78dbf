/** Posts, replies, threads, edits and the home timeline. */
import type { Db } from '@murmur/shared/db';
import { currentUser, numericPageQuery, pageOf, type ApiRoutes } from '@murmur/shared/http';
import type { SharedLimit } from '@murmur/shared/rate-limits';
import {
  ancestors,
  createPost,
  editPost,
  getPost,
  postEdits,
  postsByAuthor,
  removePost,
  replayedPost,
  replies,
  timeline,
  type Delivery,
} from '../services/posts.service.js';
import { editPostBody, postBody, postEditSchema, postHeaders, postIdParams, postSchema, userIdParams } from './user.schemas.js';
import { MAX_ANCESTORS } from '../repos/posts.repo.js';
import { z } from 'zod';

/**
 * @param postLimit posts (and reposts and edits) per author per window, counted after the input
 * is valid; replays and outages are not counted.
 */
export function declarePostsRoutes(api: ApiRoutes, db: Db, delivery: Delivery, postLimit: SharedLimit): void {
  api.add(
    {
      method: 'post',
      path: '/posts',
      tag: 'posts',
      summary: 'Post, or reply to a post',
      description: 'The post reaches the followers’ timelines: the first ones before the answer, the rest shortly after. A reply to someone else reaches only the followers who follow them too.',
      auth: 'required',
      body: postBody,
      headers: postHeaders,
      response: { status: 201, description: 'the post (or, for a repeated Idempotency-Key, the first one)', body: postSchema },
      errors: { 403: ['BLOCKED'], 404: ['POST_NOT_FOUND'], 429: ['TOO_MANY_POSTS'] },
    },
    async ({ body, headers }, req) => {
      const key = headers['Idempotency-Key'];
      const authorId = currentUser(req).id;
      // A replay makes nothing new, so it is answered even at the limit and never counted.
      const replay = key === undefined ? undefined : await replayedPost(db, authorId, key);
      if (replay) return replay;
      const { post } = await postLimit.charge(
        String(authorId),
        () => createPost(db, delivery, authorId, body, key),
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
      auth: 'optional',
      params: postIdParams,
      response: { description: 'the post', body: postSchema },
      errors: { 404: ['POST_NOT_FOUND'] },
    },
    ({ params }, req) => getPost(db, params.id, req.user?.id),
  );

  api.add(
    {
      method: 'patch',
      path: '/posts/:id',
      tag: 'posts',
      summary: 'Edit one of the caller’s posts',
      description: 'The earlier text is kept (GET /posts/{id}/edits), mentions and tags are read again, and every timeline shows the new text.',
      auth: 'required',
      params: postIdParams,
      body: editPostBody,
      response: { description: 'the post as edited', body: postSchema },
      errors: { 403: ['NOT_POST_AUTHOR', 'BLOCKED'], 404: ['POST_NOT_FOUND'], 429: ['TOO_MANY_POSTS'] },
    },
    async ({ params, body }, req) => {
      const userId = currentUser(req).id;
      const { post } = await postLimit.charge(String(userId), () => editPost(db, delivery.live, params.id, userId, body.text), (edit) => edit.changed);
      return post;
    },
  );

  api.add(
    {
      method: 'get',
      path: '/posts/:id/edits',
      tag: 'posts',
      summary: 'The earlier versions of a post, oldest first',
      auth: 'optional',
      params: postIdParams,
      query: numericPageQuery,
      response: { description: 'a page of earlier versions', body: pageOf(postEditSchema) },
      errors: { 404: ['POST_NOT_FOUND'] },
    },
    ({ params, query }, req) => postEdits(db, params.id, query, req.user?.id),
  );

  api.add(
    {
      method: 'get',
      path: '/posts/:id/ancestors',
      tag: 'posts',
      summary: 'The thread above a post, root first',
      description: `At most ${MAX_ANCESTORS} posts; a deleted post ends the thread above it.`,
      auth: 'optional',
      params: postIdParams,
      response: { description: 'the posts above', body: z.object({ items: z.array(postSchema) }) },
      errors: { 404: ['POST_NOT_FOUND'] },
    },
    ({ params }, req) => ancestors(db, params.id, req.user?.id),
  );

  api.add(
    {
      method: 'get',
      path: '/posts/:id/replies',
      tag: 'posts',
      summary: 'The direct replies to a post, oldest first',
      description: 'A deleted post’s replies stay listed here.',
      auth: 'optional',
      params: postIdParams,
      query: numericPageQuery,
      response: { description: 'a page of replies', body: pageOf(postSchema) },
      errors: { 404: ['POST_NOT_FOUND'] },
    },
    ({ params, query }, req) => replies(db, params.id, query, req.user?.id),
  );

  api.add(
    {
      method: 'delete',
      path: '/posts/:id',
      tag: 'posts',
      summary: 'Delete one of the caller’s posts; it leaves every timeline',
      description: 'Its likes and reposts go with it; its replies stay, still naming it.',
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
      summary: 'A user’s posts and reposts, newest first',
      auth: 'optional',
      params: userIdParams,
      query: numericPageQuery,
      response: { description: 'a page of posts', body: pageOf(postSchema) },
      errors: { 404: ['USER_NOT_FOUND'] },
    },
    ({ params, query }, req) => postsByAuthor(db, params.id, query, req.user?.id),
  );

  api.add(
    {
      method: 'get',
      path: '/timeline',
      tag: 'posts',
      summary: 'The home timeline: posts and reposts of the accounts the caller follows, and their own, newest first',
      description: 'A post appears once, however many of the accounts followed reposted it.',
      auth: 'required',
      query: numericPageQuery,
      response: { description: 'a page of posts', body: pageOf(postSchema) },
    },
    ({ query }, req) => timeline(db, currentUser(req).id, query),
  );
}
