/** Inputs of the rooms API, validated with zod; shared by the REST routes and the WebSocket upgrade. */
import { z } from 'zod';
import { integerId, numericPageQuery, withoutNul } from '@murmur/shared/http';
import { chatMessageSchema } from '../protocol.js';

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
/** `/ws/stream?since=`: the newest notification the client has; the ones after it are sent first. */
export const streamQuery = z.object({ since: z.string().regex(/^[0-9]{1,15}$/, 'must be a notification id').transform(Number).optional() });

/* The answers of the rooms API, for the OpenAPI document (and the test that holds the API to it). */

const roomKind = z.enum(['public', 'private', 'direct']);

export const roomSchema = z
  .object({ id: z.number().int(), name: z.string(), kind: roomKind, createdBy: z.number().int().nullable(), createdAt: z.iso.datetime() })
  .meta({ id: 'Room' });

export const roomSummarySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: roomKind,
    clients: z.number().int().describe('users connected now, across the cluster'),
    lastSeq: z.number().int(),
    readSeq: z.number().int().nullable().describe('the caller’s read marker; null when not a member'),
    unread: z.number().int().nullable().describe('messages after readSeq; null when not a member'),
    lastMessage: chatMessageSchema.nullable(),
  })
  .meta({ id: 'RoomSummary' });

export const memberSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    role: z.enum(['owner', 'moderator', 'member']),
    readSeq: z.number().int().describe('the member has read the room up to this seq'),
  })
  .meta({ id: 'Member' });
