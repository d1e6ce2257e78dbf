/** HTTP routes of the rooms API: parse input, call the service, shape the response. */
import { z } from 'zod';
import { AppError } from '@murmur/shared/errors';
import { currentUser, pageOf, type ApiRoutes } from '@murmur/shared/http';
import { JOIN_DESCRIPTION, STREAM_DESCRIPTION } from '../protocol-doc.js';
import { chatMessageSchema, publicUserSchema } from '../protocol.js';
import {
  addMember,
  createRoom,
  dropMember,
  openDirectRoom,
  roomClients,
  roomMembers,
  roomMessages,
  roomsForUser,
  roomSummary,
  type RoomsDeps,
} from '../chat/rooms.service.js';
import {
  createRoomBody,
  joinQuery,
  streamQuery,
  memberParams,
  memberSchema,
  membersQuery,
  messagesQuery,
  putMemberBody,
  roomIdParam,
  roomSchema,
  roomsQuery,
  roomSummarySchema,
  userIdParam,
} from './rooms.schemas.js';

/** A room the caller may not see answers as one that does not exist. */
const ROOM_ERRORS = { 403: ['BANNED_FROM_ROOM'], 404: ['ROOM_NOT_FOUND'] };

export function declareRoomsRoutes(api: ApiRoutes, deps: RoomsDeps): void {
  api.add(
    {
      method: 'post',
      path: '/ws/createRoom',
      tag: 'rooms',
      summary: 'Create a public or private room; the caller becomes its owner',
      auth: 'required',
      body: createRoomBody,
      response: { description: 'the room', body: roomSchema },
      errors: { 429: ['TOO_MANY_ROOMS'] },
    },
    ({ body }, req) => createRoom(deps, currentUser(req), body),
  );

  api.add(
    {
      method: 'post',
      path: '/ws/direct/:userId',
      tag: 'rooms',
      summary: 'The direct room of the caller and another user, created on first use',
      description: 'Refused with 403 `BLOCKED` while either of the two blocks the other.',
      auth: 'required',
      params: userIdParam,
      response: { description: 'the room', body: roomSchema },
      errors: { 400: ['DIRECT_TO_SELF'], 403: ['BLOCKED'], 404: ['USER_NOT_FOUND'], 429: ['TOO_MANY_ROOMS'] },
    },
    ({ params }, req) => openDirectRoom(deps, currentUser(req), params.userId),
  );

  api.add(
    {
      method: 'get',
      path: '/ws/getRooms',
      tag: 'rooms',
      summary: 'The rooms the caller can see (public ones and those they belong to), in id order, with unread counts',
      auth: 'required',
      query: roomsQuery,
      response: { description: 'a page of rooms', body: pageOf(roomSummarySchema) },
    },
    ({ query }, req) => roomsForUser(deps, currentUser(req), query),
  );

  api.add(
    {
      method: 'get',
      path: '/ws/rooms/:roomId',
      tag: 'rooms',
      summary: 'One room as the caller’s room list shows it, with their read marker and unread count',
      auth: 'required',
      params: roomIdParam,
      response: { description: 'the room', body: roomSummarySchema },
      errors: ROOM_ERRORS,
    },
    ({ params }, req) => roomSummary(deps, currentUser(req), params.roomId),
  );

  api.add(
    {
      method: 'get',
      path: '/ws/getClients/:roomId',
      tag: 'rooms',
      summary: 'The users connected to the room now, across the cluster, each once',
      auth: 'required',
      params: roomIdParam,
      response: { description: 'the users', body: z.array(publicUserSchema) },
      errors: ROOM_ERRORS,
    },
    ({ params }, req) => roomClients(deps, currentUser(req), params.roomId),
  );

  api.add(
    {
      method: 'get',
      path: '/ws/rooms/:roomId/messages',
      tag: 'rooms',
      summary: 'The room’s history, newest first; the cursor is a seq, and a page holds the messages before it',
      auth: 'required',
      params: roomIdParam,
      query: messagesQuery,
      response: { description: 'a page of messages', body: pageOf(chatMessageSchema) },
      errors: ROOM_ERRORS,
    },
    ({ params, query }, req) => roomMessages(deps, currentUser(req), params.roomId, query),
  );

  api.add(
    {
      method: 'get',
      path: '/ws/rooms/:roomId/members',
      tag: 'members',
      summary: 'The room’s members, in user id order',
      auth: 'required',
      params: roomIdParam,
      query: membersQuery,
      response: { description: 'a page of members', body: pageOf(memberSchema) },
      errors: ROOM_ERRORS,
    },
    ({ params, query }, req) => roomMembers(deps, currentUser(req), params.roomId, query),
  );

  api.add(
    {
      method: 'put',
      path: '/ws/rooms/:roomId/members/:userId',
      tag: 'members',
      summary: 'Add a member (lifting a ban), or with `role` make or unmake a moderator',
      description:
        'The owner and moderators add members; only the owner sets roles. Idempotent. Adding someone to a private room is refused with 403 `BLOCKED` while they and the caller are apart by a block.',
      auth: 'required',
      params: memberParams,
      body: putMemberBody,
      response: { description: 'the member', body: memberSchema },
      errors: {
        400: ['DIRECT_ROOM', 'OWNER_ROLE_FIXED'],
        403: ['BANNED_FROM_ROOM', 'BLOCKED', 'NOT_ROOM_MODERATOR', 'NOT_ROOM_OWNER'],
        404: ['ROOM_NOT_FOUND', 'USER_NOT_FOUND'],
      },
    },
    ({ params, body }, req) => addMember(deps, currentUser(req), params.roomId, params.userId, body.role),
  );

  api.add(
    {
      method: 'delete',
      path: '/ws/rooms/:roomId/members/:userId',
      tag: 'members',
      summary: 'Leave the room (your own id), or remove a member; removal from a public room bans',
      description: 'The removed user’s sockets in the room close with 4003.',
      auth: 'required',
      params: memberParams,
      response: { status: 204, description: 'removed' },
      errors: { 400: ['DIRECT_ROOM'], 403: ['BANNED_FROM_ROOM', 'NOT_ROOM_MODERATOR', 'NOT_ROOM_OWNER', 'OWNER_CANNOT_BE_REMOVED'], 404: ['ROOM_NOT_FOUND'] },
    },
    async ({ params }, req) => {
      await dropMember(deps, currentUser(req), params.roomId, params.userId);
    },
  );

  // Reached only by a request without `Upgrade: websocket`; upgrades go to ws/upgrade.ts.
  api.add(
    {
      method: 'get',
      path: '/ws/joinRoom/:roomId',
      tag: 'chat',
      summary: 'Join the room over WebSocket',
      description: JOIN_DESCRIPTION,
      auth: 'required',
      params: roomIdParam,
      query: joinQuery,
      response: { status: 101, description: 'switching to the WebSocket protocol' },
      errors: { 403: ['BANNED_FROM_ROOM', 'BLOCKED', 'ORIGIN_NOT_ALLOWED'], 404: ['ROOM_NOT_FOUND'], 426: ['UPGRADE_REQUIRED'], 429: ['TOO_MANY_CONNECTIONS'] },
    },
    () => {
      throw new AppError(426, 'UPGRADE_REQUIRED', 'open this URL as a WebSocket', { Upgrade: 'websocket' });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/ws/stream',
      tag: 'chat',
      summary: 'Open the person’s stream over WebSocket: rooms, notifications, timeline, room activity',
      description: STREAM_DESCRIPTION,
      auth: 'required',
      query: streamQuery,
      response: { status: 101, description: 'switching to the WebSocket protocol' },
      errors: { 403: ['ORIGIN_NOT_ALLOWED'], 426: ['UPGRADE_REQUIRED'], 429: ['TOO_MANY_CONNECTIONS'] },
    },
    () => {
      throw new AppError(426, 'UPGRADE_REQUIRED', 'open this URL as a WebSocket', { Upgrade: 'websocket' });
    },
  );
}
