/**
 * The gateway: one origin for the browser. `/api/<service>/…` goes to that service with the
 * prefix stripped (WebSocket upgrades too), `/media/…` (the pictures' files, GET and HEAD) to
 * user-service with its path whole, `/healthz` is the gateway's own, and everything else is the
 * web client. Built from its config, never listening by itself, so tests serve it on port 0.
 */
import type { RequestListener } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import type { UpgradeListener } from '@murmur/shared/http';
import type { Logger } from '@murmur/shared/logger';
import { createApiProxy } from './api-proxy.js';
import type { GatewayConfig } from './config.js';
import { INTERNAL, MEDIA_METHOD_NOT_ALLOWED, NOT_ROUTED, refuseUpgrade, sendError } from './gateway-errors.js';
import { destinationOf, FILE_METHODS, serviceRoutes } from './service-routes.js';
import { webClient } from './web-client.js';

export interface Gateway {
  handler: RequestListener;
  onUpgrade: UpgradeListener;
  /** Closes the WebSockets it proxies and its idle connections to the services. */
  close(): void;
}

export function createGateway(config: GatewayConfig, logger: Logger): Gateway {
  const routes = serviceRoutes(config);
  const proxy = createApiProxy({ proxyTimeoutMs: config.GATEWAY_PROXY_TIMEOUT_MS, upstreamIdleMs: config.GATEWAY_UPSTREAM_IDLE_MS, logger });

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use((req, res, next) => {
    const destination = destinationOf(req.method, req.url, routes);
    if (destination.kind === 'client') return next();
    if (destination.kind === 'not-routed') return sendError(res, NOT_ROUTED);
    if (destination.kind === 'method-not-allowed') return sendError(res, MEDIA_METHOD_NOT_ALLOWED, { Allow: FILE_METHODS.join(', ') });
    proxy.web(req, res, destination);
  });
  app.use(webClient(config.WEB_DIST_DIR));
  // Only a server-side failure gets here (an unreadable build file): the client's own mistakes
  // fall through to index.html.
  const failed: ErrorRequestHandler = (err, req, res, _next) => {
    logger.error({ err, method: req.method, url: req.originalUrl }, 'serving the web client failed');
    if (res.headersSent) res.destroy();
    else sendError(res, INTERNAL);
  };
  app.use(failed);

  return {
    handler: app,
    onUpgrade(req, socket, head) {
      socket.on('error', (err) => logger.debug({ err }, 'client socket failed'));
      const destination = destinationOf(req.method ?? 'GET', req.url ?? '/', routes);
      // Files are only read: an upgrade there is refused like one to a path nobody serves.
      if (destination.kind !== 'service' || destination.route.kind === 'files') return refuseUpgrade(socket, NOT_ROUTED);
      proxy.ws(req, socket, head, destination);
    },
    close: () => proxy.close(),
  };
}
