/** Builds the user-service Express app from its dependencies; never listens (tests use port 0). */
import type { Express } from 'express';
import { createAuthMiddleware, createServiceApp } from '@murmur/shared/http';
import type { ServiceDeps } from './deps.js';
import { followsRoutes } from './routes/follows.routes.js';
import { postsRoutes } from './routes/posts.routes.js';
import { usersRoutes } from './routes/users.routes.js';

export function createApp(deps: ServiceDeps): Express {
  const auth = createAuthMiddleware({ verifyToken: deps.verification.verifyToken, allowedOrigins: deps.config.ALLOWED_ORIGINS });
  const db = deps.database.db;
  return createServiceApp({
    service: 'user-service',
    logger: deps.logger,
    isReady: () => deps.database.isReachable(),
    trustProxyHops: deps.config.TRUST_PROXY_HOPS,
    routes: (app) => {
      app.use(followsRoutes(db, auth));
      app.use(usersRoutes(db, auth));
      app.use(postsRoutes(db, auth));
    },
  });
}
