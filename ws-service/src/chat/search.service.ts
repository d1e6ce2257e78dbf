/**
 * Message search: the messages a user may read whose current text holds the words of a query,
 * newest first, each with its room. Who may read a room is the rule of rooms.service, checked
 * for the room asked for (404 or 403 as its history answers) and for every message found. Every
 * search runs on the search pool, within its deadline, all its statements included.
 */
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';
import { findWords, type SearchDeps, type WalkLimits } from '@murmur/shared/search';
import type { ChatMessage } from '../protocol.js';
import type { RoomKind } from '../store/rooms.repo.js';
import { messagesMatching, walkMessagesMatching, type MessageMatch, type SearchScope } from '../store/search.repo.js';
import { toChatMessage } from '../delivery/room-history.js';
import { requireVisible } from './rooms.service.js';

export interface MessageSearchDeps {
  /** The search pool, the rules of queries and the rate limits, which every search keeps. */
  search: SearchDeps;
  /** How far a search walks the messages newest first before it asks the search index. */
  walk: WalkLimits;
}

export interface MessageHit {
  room: { id: number; name: string; kind: RoomKind };
  message: ChatMessage;
}

/**
 * One page of the matches of `q` across the rooms `user` may read, or in `roomId`; a 400 for a
 * query the rules of search refuse. The cursor is a message id across rooms and a seq within
 * one: the order of each list.
 */
export function searchMessages(
  deps: MessageSearchDeps,
  user: { id: number },
  q: string,
  roomId: number | undefined,
  page: PageRequest,
): Promise<Page<MessageHit>> {
  const scope: SearchScope = { userId: user.id, roomId };
  const wanted = page.limit + 1;
  return deps.search.pool.run(async (db) => {
    if (roomId !== undefined) await requireVisible(db, roomId, user.id);
    const matches = await findWords<MessageMatch, number>(db, q, deps.search.rules, {
      table: 'messages',
      wanted,
      limits: deps.walk,
      walk: (from, rows, more) => walkMessagesMatching(db, scope, q, from ?? page.cursor, more, rows),
      fromIndex: () => messagesMatching(db, scope, q, page.cursor, wanted),
    });
    return toPage(
      matches,
      page.limit,
      ({ message }) => (roomId === undefined ? message.id : message.seq),
      ({ room, message }) => ({ room, message: toChatMessage(message) }),
    );
  });
}
