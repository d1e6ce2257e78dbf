/** Builds the ws-service Express app from its dependencies; never listens (tests use port 0). */
import type { Express } from 'express';
import { createServiceApp } from '@murmur/shared/http';
import { sharedLimit } from '@murmur/shared/rate-limits';
import type { ServiceDeps } from './deps.js';
import { protocolComponents } from './protocol-doc.js';
import { declareRoomsRoutes } from './routes/rooms.routes.js';
import { declareSearchRoutes } from './routes/search.routes.js';
import type { Presence } from './delivery/presence.js';
import type { RoomsDeps } from './chat/rooms.service.js';

/**
 * @param presence who is connected where, across the cluster, for the rooms' client counts.
 * @param notifications sends the notifications a REST change made (a room_invite) live.
 */
export function createApp(deps: ServiceDeps, presence: Presence, notifications: RoomsDeps['notifications']): Express {
  const roomCreations = sharedLimit({
    pool: deps.database.pool,
    name: 'rooms-user',
    keyPrefix: deps.config.RATE_LIMIT_KEY_PREFIX,
    logger: deps.logger,
    points: deps.config.WS_ROOMS_MAX_PER_HOUR,
    windowSeconds: 60 * 60,
    code: 'TOO_MANY_ROOMS',
    message: `at most ${deps.config.WS_ROOMS_MAX_PER_HOUR} new rooms per hour`,
  });
  return createServiceApp({
    service: 'ws-service',
    description: 'Chat rooms over WebSocket: public, private and direct rooms, members, history, read markers and edits.',
    deps,
    components: protocolComponents,
    routes: (api) => {
      declareRoomsRoutes(api, { db: deps.database.db, presence, notifications, roomCreations });
      declareSearchRoutes(api, { search: deps.search, walk: { walkRows: deps.config.WS_SEARCH_WALK_ROWS, maxWalkRows: deps.config.WS_SEARCH_MAX_WALK_ROWS } });
    },
  });
}
