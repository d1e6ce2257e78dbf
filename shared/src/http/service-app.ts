/**
 * The Express skeleton every service shares: security headers, request ids and logs, JSON-only
 * bodies with a size limit, cookies, the service banner and health endpoints, and the error
 * handler. A service adds its own routers between the two halves.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Correlates a request's log lines and its 500 message. */
    id: string;
  }
}

/** Bodies in this API are small JSON objects; anything larger is refused with 413. */
export const MAX_JSON_BODY = '16kb';

export interface ServiceAppOptions {
  service: string;
  logger: Logger;
  /** For /readyz: is every dependency the service needs reachable? */
  isReady: () => Promise<boolean>;
  /** Hops of reverse proxies to trust for req.ip. */
  trustProxyHops?: number;
  /** Adds the service's routes. */
  routes: (app: Express) => void;
  /** The service's metrics registry, served at GET /metrics; a fresh one when omitted. */
  metrics?: ServiceMetrics;
}

const requestLog =
  (logger: Logger): RequestHandler =>
  (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.debug({ reqId: req.id, method: req.method, url: req.originalUrl, status: res.statusCode, ms }, 'request');
    });
    next();
  };

/** A request that carries a body must say it is JSON; a form or text body is refused with 415. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json')) {
    return next(new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
  }
  next();
};

export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxyHops ?? 0);
  app.set('json spaces', 0);
  const metrics = options.metrics ?? createServiceMetrics(options.service);
  app.use(helmet());
  app.use(requestLog(options.logger));
  app.use(metrics.observeRequests);
  app.use(requireJsonBody);
  app.use(express.json({ limit: MAX_JSON_BODY, strict: true }));
  app.use(cookieParser());

  app.get('/', (_req, res) => {
    res.json({ service: options.service, status: 'ok' });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/metrics', metrics.serve);
  app.get('/readyz', async (_req, res) => {
    const ready = await options.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', database: ready ? 'up' : 'down' });
  });

  options.routes(app);

  app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return app;
}
