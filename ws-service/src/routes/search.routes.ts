/** `GET /ws/search`: messages of the rooms the caller may read. */
import { currentUser, pageOf, type ApiRoutes } from '@murmur/shared/http';
import { searchMessages, type SearchDeps } from '../chat/search.service.js';
import { messageHitSchema, messageSearchQuery } from './search.schemas.js';

export function declareSearchRoutes(api: ApiRoutes, deps: SearchDeps): void {
  api.add(
    {
      method: 'get',
      path: '/ws/search',
      tag: 'search',
      summary: 'Messages holding the words of q in the rooms the caller may read (or in roomId only), newest first',
      description:
        'Public rooms the caller is not banned from, and the private and direct rooms they belong to. Deleted messages never match; edited ones match their current text. The cursor is a message id across rooms, a seq within roomId: pass it back with the same roomId.',
      auth: 'required',
      query: messageSearchQuery,
      response: { description: 'a page of matches', body: pageOf(messageHitSchema) },
      errors: { 403: ['BANNED_FROM_ROOM'], 404: ['ROOM_NOT_FOUND'] },
    },
    ({ query: { q, roomId, ...page } }, req) => searchMessages(deps, currentUser(req), q, roomId, page),
  );
}
