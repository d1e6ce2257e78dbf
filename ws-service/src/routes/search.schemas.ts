/** Input and answer of message search, as zod schemas (they also document the API). */
import { z } from 'zod';
import { schema } from '@murmur/shared/db';
import { integerId, numericCursor, pageOf, pageQuery } from '@murmur/shared/http';
import { searchText } from '@murmur/shared/search';

/**
 * `GET /ws/search?q=&roomId=&limit=&cursor=`. The cursor is the last message's id across rooms,
 * its seq within `roomId`: each list's order.
 */
export const messageSearchQuery = pageQuery(numericCursor).extend({ q: searchText, roomId: integerId.optional() });

const user = z.object({ id: z.number().int(), username: z.string() });

/** A message as the room's history shows it (a search never finds a deleted one). */
export const chatMessage = z.object({
  seq: z.number().int(),
  id: z.number().int(),
  roomId: z.number().int(),
  user: user.nullable(),
  text: z.string(),
  createdAt: z.iso.datetime(),
  editedAt: z.iso.datetime().optional(),
  clientMsgId: z.string().optional(),
});

export const messageHit = z.object({
  room: z.object({ id: z.number().int(), name: z.string(), kind: z.enum(schema.ROOM_KINDS) }),
  message: chatMessage,
});
export const messageSearchPage = pageOf(messageHit);
