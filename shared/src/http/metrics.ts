/**
 * Prometheus metrics for a service: Node's process metrics (CPU, memory, event-loop lag, GC) and
 * one request-duration histogram labelled by route pattern, served at GET /metrics. Each service
 * has its own registry, so tests that build several apps in one process do not collide.
 */
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Bucket bounds in seconds: from a cached token check to a bcrypt login. */
const DURATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface ServiceMetrics {
  registry: Registry;
  /** Times every request; labels use the route pattern (`/users/:id`), never the raw path. */
  observeRequests: RequestHandler;
  /** Serves the registry in Prometheus text format. */
  serve: RequestHandler;
}

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });

  return {
    registry,
    observeRequests(req, res, next) {
      const end = duration.startTimer();
      res.on('finish', () => {
        // An unmatched path would make one series per URL a client invents.
        const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
        end({ method: req.method, route: `${req.baseUrl}${route}`, status: String(res.statusCode) });
      });
      next();
    },
    async serve(_req, res) {
      res.setHeader('Content-Type', registry.contentType);
      res.end(await registry.metrics());
    },
  };
}
