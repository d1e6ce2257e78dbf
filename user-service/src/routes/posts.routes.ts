/** Posts and the home timeline. */
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '@murmur/shared/db';
import { currentUser, parseInput, withoutNul, type AuthMiddleware } from '@murmur/shared/http';
import type { SharedLimit } from '@murmur/shared/rate-limits';
import { bigintId, parseId } from '@murmur/shared/http';
import { parsePageQuery } from '@murmur/shared/http';
import { createPost, getPost, postsByAuthor, removePost, replayedPost, timeline, type Delivery } from '../services/posts.service.js';

export const MAX_POST_CHARACTERS = 280;

/** Counted in Unicode code points, so an emoji is one character, not two UTF-16 units. */
const postBody = z.object({
  text: z
    .string({ error: 'is required and must be a string' })
    .trim()
    .refine(...withoutNul)
    .refine((t) => t.length > 0, 'must not be empty')
    .refine((t) => [...t].length <= MAX_POST_CHARACTERS, `must be at most ${MAX_POST_CHARACTERS} characters`),
});

/** Printable ASCII, as clients generate keys (UUIDs, random tokens). */
const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 printable ASCII characters')
  .optional();

/** @param postLimit posts per author per window, counted after the input is valid; replays and outages are not counted. */
export function postsRoutes(db: Db, delivery: Delivery, auth: AuthMiddleware, postLimit: SharedLimit): Router {
  const router = Router();

  router.post('/posts', auth.requireAuth, async (req, res) => {
    const { text } = parseInput(postBody, req.body);
    const key = parseInput(idempotencyKey, req.get('Idempotency-Key'), 'Idempotency-Key');
    const authorId = currentUser(req).id;
    // A replay makes nothing new, so it is answered even at the limit and never counted.
    const replay = key === undefined ? undefined : await replayedPost(db, authorId, key);
    if (replay) {
      res.status(201).json(replay);
      return;
    }
    const { post } = await postLimit.charge(
      String(authorId),
      () => createPost(db, delivery, authorId, text, key),
      (created) => !created.replayed,
    );
    res.status(201).json(post);
  });

  router.get('/posts/:id', async (req, res) => {
    res.json(await getPost(db, parseId(req.params.id, 'id', bigintId)));
  });

  router.delete('/posts/:id', auth.requireAuth, async (req, res) => {
    await removePost(delivery, parseId(req.params.id, 'id', bigintId), currentUser(req).id);
    res.status(204).end();
  });

  router.get('/users/:id/posts', async (req, res) => {
    res.json(await postsByAuthor(db, parseId(req.params.id, 'id'), parsePageQuery(req.query)));
  });

  router.get('/timeline', auth.requireAuth, async (req, res) => {
    res.json(await timeline(db, currentUser(req).id, parsePageQuery(req.query)));
  });

  return router;
}
