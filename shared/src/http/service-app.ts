/**
 * The Express skeleton every service shares: security headers, request ids and logs, JSON-only
 * bodies with a size limit, cookies, authentication, the service banner and health endpoints,
 * the OpenAPI document and its reference, and the error handler. A service declares its own
 * routes (api-routes.ts) between the two halves; the skeleton takes what differs from service
 * to service and nothing else.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import { z } from 'zod';
import type { VerifyToken } from '../auth/token-verifier.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { declareApiDocs } from './api-docs.js';
import { ApiRoutes } from './api-routes.js';
import { createAuthMiddleware, type AuthMiddleware } from './auth-middleware.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Correlates a request's log lines and its 500 message. */
    id: string;
  }
}

/** Bodies in this API are small JSON objects; anything larger is refused with 413. */
export const MAX_JSON_BODY = '16kb';

/** What the skeleton needs of a service's dependencies; every service's deps have it. */
export interface ServiceAppDeps {
  logger: Logger;
  /** For /readyz: is the database reachable? */
  database: { isReachable(): Promise<boolean> };
  verification: { verifyToken: VerifyToken };
  config: {
    /** Origins whose pages may make cookie-authenticated changes. */
    ALLOWED_ORIGINS: readonly string[];
    /** Hops of reverse proxies to trust for req.ip. */
    TRUST_PROXY_HOPS: number;
    /** Behind HTTPS: the auth cookie is read under its `__Host-` name only. */
    COOKIE_SECURE: boolean;
  };
}

export interface ServiceAppOptions {
  service: string;
  /** What the service does, for the first lines of its OpenAPI document. */
  description: string;
  deps: ServiceAppDeps;
  /** Declares the service's routes on `api`; `auth` for the few that check more than the declared auth. */
  routes: (api: ApiRoutes, auth: AuthMiddleware) => void;
  /** The service's metrics registry, served at GET /metrics; a fresh one when omitted. */
  metrics?: ServiceMetrics;
  /** Schemas the document names beyond those of the routes (the WebSocket frames). */
  components?: Record<string, z.ZodType>;
}

/** The version of the API the documents describe. */
export const API_VERSION = '1.0.0';

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

/**
 * A request that carries a body must say it is JSON; a form or text body is refused with 415,
 * except at `formPaths` (uploads), whose handlers read the body themselves.
 */
const requireJsonBody =
  (formPaths: ReadonlySet<string>): RequestHandler =>
  (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is('application/json') && !(req.method === 'POST' && formPaths.has(req.path))) {
      return next(new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
    }
    next();
  };

/**
 * The API's answers are someone's timeline, messages, account: no browser, proxy or gateway may
 * keep a copy (a shared computer's cache, a proxy serving one user's answer to another). Public
 * answers gain nothing from caching either (they change with every post), so every answer of a
 * service's routes carries `no-store`; a route that serves a file sets its own caching instead
 * (pictures are immutable and cached for a year).
 */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** The banner, health, readiness and metrics endpoints of every service. */
function declareServiceRoutes(api: ApiRoutes, service: string, isReady: () => Promise<boolean>, metrics: ServiceMetrics): void {
  const status = (values: [string, ...string[]]) => z.object({ status: z.enum(values) });
  api.add(
    {
      method: 'get',
      path: '/',
      tag: 'service',
      summary: 'Which service answers',
      auth: 'none',
      response: { description: 'the banner', body: status(['ok']).extend({ service: z.literal(service) }) },
    },
    () => ({ service, status: 'ok' }),
  );
  api.add(
    { method: 'get', path: '/healthz', tag: 'service', summary: 'Liveness: the process answers', auth: 'none', response: { description: 'alive', body: status(['ok']) } },
    () => ({ status: 'ok' }),
  );
  api.add(
    {
      method: 'get',
      path: '/readyz',
      tag: 'service',
      summary: 'Readiness: the database answers',
      auth: 'none',
      response: { description: 'ready, or 503 unavailable', body: status(['ready', 'unavailable']).extend({ database: z.enum(['up', 'down']) }), alsoStatuses: [503] },
    },
    async (_input, _req, res) => {
      const ready = await isReady();
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', database: ready ? 'up' : 'down' });
    },
  );
  api.add(
    {
      method: 'get',
      path: '/metrics',
      tag: 'service',
      summary: 'Prometheus metrics',
      auth: 'none',
      response: { description: 'the text exposition format', body: z.string(), contentType: 'text/plain' },
    },
    (_input, req, res) => metrics.serve(req, res, () => undefined),
  );
}

export function createServiceApp(options: ServiceAppOptions): Express {
  const { deps } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.TRUST_PROXY_HOPS);
  app.set('json spaces', 0);
  const metrics = options.metrics ?? createServiceMetrics(options.service);
  app.use(helmet());
  app.use(requestLog(deps.logger));
  const auth = createAuthMiddleware({
    verifyToken: deps.verification.verifyToken,
    allowedOrigins: deps.config.ALLOWED_ORIGINS,
    cookieSecure: deps.config.COOKIE_SECURE,
  });
  const skeleton = new ApiRoutes();
  const api = new ApiRoutes(auth);
  declareServiceRoutes(skeleton, options.service, () => deps.database.isReachable(), metrics);
  options.routes(api, auth);
  const formPaths = new Set(api.specs.filter((spec) => spec.form && spec.method === 'post' && !spec.path.includes(':')).map((spec) => spec.path));

  app.use(metrics.observeRequests);
  app.use(requireJsonBody(formPaths));
  app.use(express.json({ limit: MAX_JSON_BODY, strict: true }));
  app.use(cookieParser());

  let document: object | undefined;
  declareApiDocs(skeleton, `murmur ${options.service}`, () => {
    document ??= openApiDocument({
      title: `murmur ${options.service}`,
      description: options.description,
      version: API_VERSION,
      specs: [...api.specs, ...skeleton.specs],
      components: options.components,
    });
    return document;
  });
  // The skeleton's answers are public and the same for everyone (its reference page's files are
  // cached for a day); no-store starts with the service's own routes.
  app.use(skeleton.router);
  app.use(noStore);
  app.use(api.router);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
