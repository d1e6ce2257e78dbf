/**
 * Message search: the messages a user may read whose current text holds the words of a query,
 * newest first, each with its room. Who may read a room is the rule of rooms.service, checked
 * for the room asked for (404 or 403 as its history answers) and for every message found.
 */
import type { Db } from '@murmur/shared/db';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';
import { walkThenIndex, type WalkLimits } from '@murmur/shared/search';
import type { ChatMessage } from '../protocol.js';
import type { RoomKind } from '../store/rooms.repo.js';
import { messagesMatching, walkMessagesMatching, type MessageMatch, type SearchScope } from '../store/search.repo.js';
import { toChatMessage } from '../delivery/room-history.js';
import { requireVisible } from './rooms.service.js';

export interface SearchDeps {
  db: Db;
  /** How far a search walks the messages newest first before it asks the search index. */
  walk: WalkLimits;
}

export interface MessageHit {
  room: { id: number; name: string; kind: RoomKind };
  message: ChatMessage;
}

/**
 * One page of the matches of `q` across the rooms `user` may read, or in `roomId`. The cursor is
 * a message id across rooms and a seq within one: the order of each list.
 */
export async function searchMessages(
  deps: SearchDeps,
  user: { id: number },
  q: string,
  roomId: number | undefined,
  page: PageRequest,
): Promise<Page<MessageHit>> {
  if (roomId !== undefined) await requireVisible(deps.db, roomId, user.id);
  const scope: SearchScope = { userId: user.id, roomId };
  const wanted = page.limit + 1;
  const matches = await walkThenIndex<MessageMatch, number>(
    wanted,
    deps.walk,
    (from, rows, more) => walkMessagesMatching(deps.db, scope, q, from ?? page.cursor, more, rows),
    () => messagesMatching(deps.db, scope, q, page.cursor, wanted),
  );
  return toPage(
    matches,
    page.limit,
    ({ message }) => (roomId === undefined ? message.id : message.seq),
    ({ room, message }) => ({ room, message: toChatMessage(message) }),
  );
}
