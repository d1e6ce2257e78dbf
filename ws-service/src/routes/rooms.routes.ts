/** HTTP routes of the rooms API: parse input, call the service, shape the response. */
import { Router } from 'express';
import { AppError } from '@murmur/shared/errors';
import { currentUser, parseInput, type AuthMiddleware } from '@murmur/shared/http';
import {
  addMember,
  createRoom,
  dropMember,
  openDirectRoom,
  roomClients,
  roomMembers,
  roomMessages,
  roomsForUser,
  type RoomsDeps,
} from '../services/rooms.service.js';
import { createRoomBody, memberParams, membersQuery, messagesQuery, putMemberBody, roomIdParam, roomsQuery, userIdParam } from './rooms.schemas.js';

export function roomsRoutes(deps: RoomsDeps, auth: AuthMiddleware): Router {
  const router = Router();

  router.post('/ws/createRoom', auth.requireAuth, async (req, res) => {
    const { name, visibility } = parseInput(createRoomBody, req.body);
    res.json(await createRoom(deps, currentUser(req), { name, visibility }));
  });

  router.post('/ws/direct/:userId', auth.requireAuth, async (req, res) => {
    const { userId } = parseInput(userIdParam, req.params, 'userId');
    res.json(await openDirectRoom(deps, currentUser(req), userId));
  });

  router.get('/ws/getRooms', auth.requireAuth, async (req, res) => {
    res.json(await roomsForUser(deps, currentUser(req), parseInput(roomsQuery, req.query, 'query')));
  });

  router.get('/ws/getClients/:roomId', auth.requireAuth, async (req, res) => {
    const { roomId } = parseInput(roomIdParam, req.params, 'roomId');
    res.json(await roomClients(deps, currentUser(req), roomId));
  });

  router.get('/ws/rooms/:roomId/messages', auth.requireAuth, async (req, res) => {
    const { roomId } = parseInput(roomIdParam, req.params, 'roomId');
    res.json(await roomMessages(deps, currentUser(req), roomId, parseInput(messagesQuery, req.query, 'query')));
  });

  router.get('/ws/rooms/:roomId/members', auth.requireAuth, async (req, res) => {
    const { roomId } = parseInput(roomIdParam, req.params, 'roomId');
    res.json(await roomMembers(deps, currentUser(req), roomId, parseInput(membersQuery, req.query, 'query')));
  });

  router.put('/ws/rooms/:roomId/members/:userId', auth.requireAuth, async (req, res) => {
    const { roomId, userId } = parseInput(memberParams, req.params);
    const { role } = parseInput(putMemberBody, req.body);
    res.json(await addMember(deps, currentUser(req), roomId, userId, role));
  });

  router.delete('/ws/rooms/:roomId/members/:userId', auth.requireAuth, async (req, res) => {
    const { roomId, userId } = parseInput(memberParams, req.params);
    await dropMember(deps, currentUser(req), roomId, userId);
    res.status(204).end();
  });

  // Reached only by a request without `Upgrade: websocket`; upgrades go to ws/upgrade.ts.
  router.get('/ws/joinRoom/:roomId', () => {
    throw new AppError(426, 'UPGRADE_REQUIRED', 'open this URL as a WebSocket', { Upgrade: 'websocket' });
  });

  return router;
}
