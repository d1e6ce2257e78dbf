/** Inputs of the rooms API, validated with zod; shared by the REST routes and the WebSocket upgrade. */
import { z } from 'zod';
import { withoutNul } from '@murmur/shared/http';

/** Most messages per history page. */
export const MAX_PAGE_MESSAGES = 100;
export const DEFAULT_PAGE_MESSAGES = 50;

/** A decimal id in a path or query string. Large values parse; they just name nothing. */
const decimalId = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .regex(/^[0-9]{1,15}$/, `${what} must be a non-negative integer`)
    .transform(Number);

export const roomIdParam = z.object({ roomId: decimalId('roomId') });
export const userIdParam = z.object({ userId: decimalId('userId') });
export const memberParams = z.object({ roomId: decimalId('roomId'), userId: decimalId('userId') });

export const createRoomBody = z.object({
  name: z
    .string({ error: 'name is required and must be a string' })
    .trim()
    .min(1, 'name must not be empty')
    .max(64, 'name must be at most 64 characters')
    .refine(...withoutNul),
  visibility: z.enum(['public', 'private'], { error: 'visibility must be "public" or "private"' }).default('public'),
});

/** `PUT /ws/rooms/:roomId/members/:userId`: an empty body adds a member; `role` makes or unmakes a moderator. */
export const putMemberBody = z
  .object({ role: z.enum(['moderator', 'member'], { error: 'role must be "moderator" or "member"' }).optional() })
  .default({});

/** Most rooms per `getRooms` page, and the default. */
export const MAX_PAGE_ROOMS = 100;

/** `?limit=`: 1 to `max`, `fallback` when absent. */
const pageLimit = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]{1,3}$/, 'limit must be an integer')
    .transform(Number)
    .pipe(z.number().min(1, 'limit must be at least 1').max(max, `limit must be at most ${max}`))
    .default(fallback);

export const messagesQuery = z.object({
  before: decimalId('before').optional(),
  limit: pageLimit(MAX_PAGE_MESSAGES, DEFAULT_PAGE_MESSAGES),
});

/** Most members per page, and the default. */
export const MAX_PAGE_MEMBERS = 100;

/** `GET /ws/rooms/:roomId/members?cursor=<user id>&limit=`: members in user id order. */
export const membersQuery = z.object({
  cursor: decimalId('cursor').optional(),
  limit: pageLimit(MAX_PAGE_MEMBERS, MAX_PAGE_MEMBERS),
});

/** `GET /ws/getRooms?after=<room id>&limit=`: rooms in id order, after the given one. */
export const roomsQuery = z.object({
  after: decimalId('after').optional(),
  limit: pageLimit(MAX_PAGE_ROOMS, MAX_PAGE_ROOMS),
});

/** The query of a join: `?since=<seq>` resumes after a reconnect, from the last seq the client has. */
export const joinQuery = z.object({ since: decimalId('since').optional() });
