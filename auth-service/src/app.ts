/** Builds the auth-service Express app from its dependencies; never listens (tests use port 0). */
import type { Express } from 'express';
import { createAuthMiddleware, createServiceApp } from '@murmur/shared/http';
import type { AuthDeps } from './deps.js';
import { authRoutes } from './routes/auth.routes.js';

export function createApp(deps: AuthDeps): Express {
  const auth = createAuthMiddleware({ verifyToken: deps.verification.verifyToken, allowedOrigins: deps.config.ALLOWED_ORIGINS });
  return createServiceApp({
    service: 'auth-service',
    logger: deps.logger,
    isReady: () => deps.database.isReachable(),
    trustProxyHops: deps.config.TRUST_PROXY_HOPS,
    routes: (app) => {
      app.use(
        authRoutes({
          service: deps.service,
          auth,
          allowedOrigins: deps.config.ALLOWED_ORIGINS,
          cookieSecure: deps.config.COOKIE_SECURE,
        }),
      );
    },
  });
}
