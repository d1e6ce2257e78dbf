/** Input and answer of message search, as zod schemas (they also document the API). */
import { z } from 'zod';
import { integerId, numericCursor, pageQuery } from '@murmur/shared/http';
import { searchText } from '@murmur/shared/search';
import { chatMessageSchema } from '../protocol.js';
import { roomSchema } from './rooms.schemas.js';

/**
 * `GET /ws/search?q=&roomId=&limit=&cursor=`. The cursor is the last message's id across rooms,
 * its seq within `roomId`: each list's order.
 */
export const messageSearchQuery = pageQuery(numericCursor).extend({ q: searchText, roomId: integerId.optional() });

/** A match: the message as the room's history shows it (a search never finds a deleted one), with its room. */
export const messageHitSchema = z
  .object({ room: roomSchema.pick({ id: true, name: true, kind: true }), message: chatMessageSchema })
  .meta({ id: 'MessageSearchHit' });
