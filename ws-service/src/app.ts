/** Builds the ws-service Express app from its dependencies; never listens (tests use port 0). */
import type { Express } from 'express';
import { createAuthMiddleware, createServiceApp } from '@murmur/shared/http';
import { sharedLimit } from '@murmur/shared/rate-limits';
import type { ServiceDeps } from './deps.js';
import { roomsRoutes } from './routes/rooms.routes.js';
import { searchRoutes } from './routes/search.routes.js';
import type { Presence } from './fanout/presence.js';

/** @param presence who is connected where, across the cluster, for the rooms' client counts. */
export function createApp(deps: ServiceDeps, presence: Presence): Express {
  const auth = createAuthMiddleware({ verifyToken: deps.verification.verifyToken, allowedOrigins: deps.config.ALLOWED_ORIGINS });
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
    logger: deps.logger,
    isReady: () => deps.database.isReachable(),
    trustProxyHops: deps.config.TRUST_PROXY_HOPS,
    routes: (app) => {
      app.use(roomsRoutes({ db: deps.database.db, presence, roomCreations }, auth));
      app.use(searchRoutes({ db: deps.database.db, walk: { walkRows: deps.config.WS_SEARCH_WALK_ROWS, maxWalkRows: deps.config.WS_SEARCH_MAX_WALK_ROWS } }, auth));
    },
  });
}
