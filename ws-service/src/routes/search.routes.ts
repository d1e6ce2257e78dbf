/**
 * `GET /ws/search`: messages of the rooms the caller may read. Every search counts against the
 * caller's rate limits first: their account's, and their client address's.
 */
import { currentUser, pageOf, type ApiRoutes } from '@murmur/shared/http';
import { describeWordRules, SEARCH_ERRORS, WORD_SEARCH_REFUSALS } from '@murmur/shared/search';
import { searchMessages, type MessageSearchDeps } from '../chat/search.service.js';
import { messageHitSchema, messageSearchQuery } from './search.schemas.js';

export function declareSearchRoutes(api: ApiRoutes, deps: MessageSearchDeps): void {
  api.add(
    {
      method: 'get',
      path: '/ws/search',
      tag: 'search',
      summary: 'Messages holding the words of q in the rooms the caller may read (or in roomId only), newest first',
      description: `Public rooms the caller is not banned from, and the private and direct rooms they belong to. Deleted messages never match; edited ones match their current text. ${describeWordRules(deps.search.rules)} The cursor is a message id across rooms, a seq within roomId: pass it back with the same roomId.`,
      auth: 'required',
      query: messageSearchQuery,
      response: { description: 'a page of matches', body: pageOf(messageHitSchema) },
      errors: { ...SEARCH_ERRORS, 400: WORD_SEARCH_REFUSALS, 403: ['BANNED_FROM_ROOM'], 404: ['ROOM_NOT_FOUND'] },
    },
    async ({ query: { q, roomId, ...page } }, req) => {
      const user = currentUser(req);
      await deps.search.limits.admit({ accountId: user.id, address: req.ip });
      return searchMessages(deps, user, q, roomId, page);
    },
  );
}
