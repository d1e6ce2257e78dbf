/** Inputs of the rooms API, validated with zod; shared by the REST routes and the WebSocket upgrade. */
import { z } from 'zod';
import { integerId, numericPageQuery, withoutNul } from '@murmur/shared/http';

export const roomIdParam = z.object({ roomId: integerId });
export const userIdParam = z.object({ userId: integerId });
export const memberParams = z.object({ roomId: integerId, userId: integerId });

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

/**
 * The lists page as every list does (`?limit=&cursor=`, see shared paging). History walks
 * backwards: its cursor is a seq, and a page holds the messages before it, newest first. Members
 * are in user id order and rooms in room id order: their cursors are the last id of a page.
 */
export const messagesQuery = numericPageQuery;
export const membersQuery = numericPageQuery;
export const roomsQuery = numericPageQuery;

/** The query of a join: `?since=<seq>` resumes after a reconnect, from the last seq the client has. */
export const joinQuery = z.object({ since: z.string().regex(/^[0-9]{1,15}$/, 'must be a seq the room handed out').transform(Number).optional() });
