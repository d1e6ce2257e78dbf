/** Builds the auth-service Express app from its dependencies; never listens (tests use port 0). */
import type { Express } from 'express';
import { createServiceApp } from '@murmur/shared/http';
import type { AuthDeps } from './deps.js';
import { declareAuthRoutes } from './routes/auth.routes.js';

export function createApp(deps: AuthDeps): Express {
  return createServiceApp({
    service: 'auth-service',
    description: 'Accounts and sessions: register, log in, log out. The only service that signs tokens.',
    deps,
    routes: (api) =>
      declareAuthRoutes(api, { service: deps.service, allowedOrigins: deps.config.ALLOWED_ORIGINS, cookieSecure: deps.config.COOKIE_SECURE }),
  });
}
