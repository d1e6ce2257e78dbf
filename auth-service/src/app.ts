/** Builds the auth-service Express app from its dependencies; never listens (tests use port 0). */
import type { Express } from 'express';
import { createServiceApp } from '@murmur/shared/http';
import type { AuthDeps } from './deps.js';
import { declareAccountRoutes } from './routes/account.routes.js';
import { declareAuthRoutes, type AuthRoutesOptions } from './routes/auth.routes.js';
import { declareTwoFactorRoutes } from './routes/two-factor.routes.js';

export function createApp(deps: AuthDeps): Express {
  const options: AuthRoutesOptions = { service: deps.service, allowedOrigins: deps.config.ALLOWED_ORIGINS, cookieSecure: deps.config.COOKIE_SECURE };
  return createServiceApp({
    service: 'auth-service',
    description: 'Accounts and sessions: register, log in and out, passwords, sessions, two-factor login, email verification. The only service that signs tokens.',
    deps,
    routes: (api) => {
      declareAuthRoutes(api, options);
      declareAccountRoutes(api, options);
      declareTwoFactorRoutes(api, options);
    },
  });
}
