/** POST /follow and POST /unfollow. */
import { Router } from 'express';
import type { Db } from '@murmur/shared/db';
import { currentUser, type AuthMiddleware } from '@murmur/shared/http';
import { parseId } from '@murmur/shared/http';
import { follow, unfollow } from '../services/follows.service.js';

/** @param backfillPosts how many of a newly followed account's newest posts enter the follower's timeline */
export function followsRoutes(db: Db, backfillPosts: number, auth: AuthMiddleware): Router {
  const router = Router();

  router.post('/follow', auth.requireAuth, async (req, res) => {
    const followeeId = parseId(req.query.toFollowId, 'toFollowId');
    res.json({ relationship: await follow(db, backfillPosts, currentUser(req).id, followeeId) });
  });

  router.post('/unfollow', auth.requireAuth, async (req, res) => {
    const followeeId = parseId(req.query.toUnfollowId, 'toUnfollowId');
    res.json({ relationship: await unfollow(db, currentUser(req).id, followeeId) });
  });

  return router;
}
