/** Profiles, follower lists and account deletion. */
import { Router } from 'express';
import type { Db } from '@murmur/shared/db';
import { currentUser, type AuthMiddleware } from '@murmur/shared/http';
import { parseId } from '@murmur/shared/http';
import { parsePageQuery } from '@murmur/shared/http';
import { listRelations } from '../services/follows.service.js';
import type { TimelineJobs } from '../timeline/timeline-jobs.js';
import { deleteAccount, getOwnProfile, getProfile } from '../services/users.service.js';

export function usersRoutes(db: Db, jobs: TimelineJobs, auth: AuthMiddleware): Router {
  const router = Router();

  router.get('/me', auth.requireAuth, async (req, res) => {
    res.json(await getOwnProfile(db, currentUser(req).id));
  });

  router.delete('/delete', auth.requireAuth, async (req, res) => {
    await deleteAccount(jobs, currentUser(req).id);
    res.status(204).end();
  });

  router.get('/users/:id', async (req, res) => {
    res.json(await getProfile(db, parseId(req.params.id, 'id')));
  });

  for (const direction of ['followers', 'following'] as const) {
    router.get(`/users/:id/${direction}`, async (req, res) => {
      const userId = parseId(req.params.id, 'id');
      res.json(await listRelations(db, userId, direction, parsePageQuery(req.query)));
    });
  }

  return router;
}
