/** Builds the user-service Express app from its dependencies; never listens (tests use port 0). */
import type { Express } from 'express';
import { createServiceApp } from '@murmur/shared/http';
import type { ServiceDeps } from './deps.js';

export function createApp(deps: ServiceDeps): Express {
  return createServiceApp({
    service: 'user-service',
    logger: deps.logger,
    isReady: () => deps.database.isReachable(),
    trustProxyHops: deps.config.TRUST_PROXY_HOPS,
    routes: () => undefined,
  });
}
