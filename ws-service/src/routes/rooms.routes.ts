/** HTTP routes of the rooms API: parse input, call the service, shape the response. */
import { Router } from 'express';
import { AppError } from '@murmur/shared/errors';
import { currentUser, parseInput, type AuthMiddleware } from '@murmur/shared/http';
import { createRoom, roomClients, roomMessages, roomsWithClients, type RoomsDeps } from '../services/rooms.service.js';
import { createRoomBody, messagesQuery, roomIdParam, roomsQuery } from './rooms.schemas.js';

export function roomsRoutes(deps: RoomsDeps, auth: AuthMiddleware): Router {
  const router = Router();

  router.post('/ws/createRoom', auth.requireAuth, async (req, res) => {
    const { name } = parseInput(createRoomBody, req.body);
    res.json(await createRoom(deps, currentUser(req), name));
  });

  // A bounded page, still a plain array; the next page is announced in a Link header.
  router.get('/ws/getRooms', auth.requireAuth, async (req, res) => {
    const query = parseInput(roomsQuery, req.query, 'query');
    const { rooms, nextAfter } = await roomsWithClients(deps, query);
    if (nextAfter !== undefined) res.links({ next: `/ws/getRooms?after=${nextAfter}&limit=${query.limit}` });
    res.json(rooms);
  });

  router.get('/ws/getClients/:roomId', auth.requireAuth, async (req, res) => {
    const { roomId } = parseInput(roomIdParam, req.params, 'roomId');
    res.json(await roomClients(deps, roomId));
  });

  router.get('/ws/rooms/:roomId/messages', auth.requireAuth, async (req, res) => {
    const { roomId } = parseInput(roomIdParam, req.params, 'roomId');
    const page = parseInput(messagesQuery, req.query, 'query');
    res.json(await roomMessages(deps, roomId, page));
  });

  // Reached only by a request without `Upgrade: websocket`; upgrades go to ws/upgrade.ts.
  router.get('/ws/joinRoom/:roomId', () => {
    throw new AppError(426, 'UPGRADE_REQUIRED', 'open this URL as a WebSocket', { Upgrade: 'websocket' });
  });

  return router;
}
