/**
 * Search: accounts by name, posts by their words. No sign-in needed, as for profiles and posts;
 * a signed-in caller's search leaves out the accounts (and their posts) a block stands between.
 * Every search counts against its caller's rate limits first: the account's when signed in, and
 * the client address's.
 */
import type { Request } from 'express';
import { pageOf, type ApiRoutes } from '@murmur/shared/http';
import { describeWordRules, SEARCH_ERRORS, WORD_SEARCH_REFUSALS } from '@murmur/shared/search';
import { MIN_CONTAINS_CHARACTERS, searchPosts, searchUsers, type SearchOptions } from '../services/search.service.js';
import { postSearchQuery, userHitSchema, userSearchQuery } from './search.schemas.js';
import { postSchema } from './user.schemas.js';

/** Declared before the profile and post routes, whose `/users/:id` and `/posts/:id` would take `search` for an id. */
export function declareSearchRoutes(api: ApiRoutes, options: SearchOptions): void {
  const admit = (req: Request) => options.search.limits.admit({ accountId: req.user?.id, address: req.ip });
  api.add(
    {
      method: 'get',
      path: '/users/search',
      tag: 'search',
      summary: 'Accounts whose username starts with or contains q, or whose display name contains it, case-insensitive',
      description: `The exact name first, then the other names that start with q, then (for a q of ${MIN_CONTAINS_CHARACTERS} characters or more) those that contain it elsewhere, each group in name order. Suspended accounts are left out, and for a signed-in caller the accounts they block or are blocked by.`,
      auth: 'optional',
      query: userSearchQuery,
      response: { description: 'a page of accounts', body: pageOf(userHitSchema) },
      errors: SEARCH_ERRORS,
    },
    async ({ query: { q, ...page } }, req) => {
      await admit(req);
      return searchUsers(options, q, page, req.user?.id);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/posts/search',
      tag: 'search',
      summary: 'Posts holding the words of q, newest first',
      description: `Words match regardless of case and accents, in any language; "a phrase" in double quotes matches as a phrase, \`or\` takes either word, \`-word\` leaves it out. ${describeWordRules(options.search.rules)} Posts of suspended accounts are left out, and for a signed-in caller those of the accounts they block or are blocked by.`,
      auth: 'optional',
      query: postSearchQuery,
      response: { description: 'a page of posts', body: pageOf(postSchema) },
      errors: { ...SEARCH_ERRORS, 400: WORD_SEARCH_REFUSALS },
    },
    async ({ query: { q, ...page } }, req) => {
      await admit(req);
      return searchPosts(options, q, page, req.user?.id);
    },
  );
}
