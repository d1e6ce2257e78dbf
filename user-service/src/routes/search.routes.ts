/** Search: accounts by name, posts by their words. No sign-in needed, as for profiles and posts. */
import { Router } from 'express';
import type { Db } from '@murmur/shared/db';
import { parseInput } from '@murmur/shared/http';
import { searchPosts, searchUsers, type SearchOptions } from '../services/search.service.js';
import { postSearchQuery, userSearchQuery } from './search.schemas.js';

/** Mounted before the profile and post routes, whose `/users/:id` and `/posts/:id` would take `search` for an id. */
export function searchRoutes(db: Db, options: SearchOptions): Router {
  const router = Router();

  router.get('/users/search', async (req, res) => {
    const { q, ...page } = parseInput(userSearchQuery, req.query, 'query');
    res.json(await searchUsers(db, options, q, page));
  });

  router.get('/posts/search', async (req, res) => {
    const { q, ...page } = parseInput(postSearchQuery, req.query, 'query');
    res.json(await searchPosts(db, options, q, page));
  });

  return router;
}
