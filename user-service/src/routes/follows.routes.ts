/** POST /follow and POST /unfollow. */
import { Router } from 'express';
import type { Db } from '@murmur/shared/db';
import { currentUser, type AuthMiddleware } from '@murmur/shared/http';
import { parseId } from '../ids.js';
import type { TimelineJobs } from '../timeline/timeline-jobs.js';
import { follow, unfollow } from '../services/follows.service.js';

export function followsRoutes(db: Db, jobs: TimelineJobs, auth: AuthMiddleware): Router {
  const router = Router();

  router.post('/follow', auth.requireAuth, async (req, res) => {
    const followeeId = parseId(req.query.toFollowId, 'toFollowId');
    res.json({ relationship: await follow(jobs, currentUser(req).id, followeeId) });
  });

  router.post('/unfollow', auth.requireAuth, async (req, res) => {
    const followeeId = parseId(req.query.toUnfollowId, 'toUnfollowId');
    res.json({ relationship: await unfollow(db, currentUser(req).id, followeeId) });
  });

  return router;
}
