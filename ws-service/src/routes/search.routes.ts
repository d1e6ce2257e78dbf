/** `GET /ws/search`: messages of the rooms the caller may read. */
import { Router } from 'express';
import { currentUser, parseInput, type AuthMiddleware } from '@murmur/shared/http';
import { searchMessages, type SearchDeps } from '../services/search.service.js';
import { messageSearchQuery } from './search.schemas.js';

export function searchRoutes(deps: SearchDeps, auth: AuthMiddleware): Router {
  const router = Router();

  router.get('/ws/search', auth.requireAuth, async (req, res) => {
    const { q, roomId, ...page } = parseInput(messageSearchQuery, req.query, 'query');
    res.json(await searchMessages(deps, currentUser(req), q, roomId, page));
  });

  return router;
}
