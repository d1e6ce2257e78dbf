/**
 * Forwards API requests and WebSocket upgrades to the services with http-proxy-3. Headers pass
 * unchanged (Origin and Cookie included, so the services' Origin checks and cookie auth see what
 * the browser sent), plus X-Forwarded-For/-Port/-Proto/-Host; a service that cannot be reached
 * answers 502, one that goes silent 504, both as JSON.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import type { Logger } from '@murmur/shared/logger';
import { BAD_GATEWAY, GATEWAY_TIMEOUT, refuseUpgrade, sendError, type GatewayError } from './gateway-errors.js';
import type { ServiceRoute } from './service-routes.js';

export interface ApiProxyOptions {
  /** Silence from a service, while it answers, after which the request answers 504. */
  proxyTimeoutMs: number;
  /** How long an idle connection to a service is kept for the next request. */
  upstreamIdleMs: number;
  logger: Logger;
}

/** Where one request goes: the route, and the path and query the service sees. */
export interface ProxyDestination {
  route: ServiceRoute;
  url: string;
}

export interface ApiProxy {
  web(req: IncomingMessage, res: ServerResponse, destination: ProxyDestination): void;
  ws(req: IncomingMessage, socket: Duplex, head: Buffer, destination: ProxyDestination): void;
  /** Closes every proxied WebSocket and idle service connection. */
  close(): void;
}

/** Thrown into a request the service left silent for too long, so its error answers 504. */
class UpstreamTimeout extends Error {
  override name = 'UpstreamTimeout';
}

const answerFor = (err: Error): GatewayError => (err instanceof UpstreamTimeout ? GATEWAY_TIMEOUT : BAD_GATEWAY);

export function createApiProxy(options: ApiProxyOptions): ApiProxy {
  const { logger } = options;
  // Reused connections save a handshake per request; `timeout` closes one left idle.
  const agent = new http.Agent({ keepAlive: true, timeout: options.upstreamIdleMs });
  const proxy = createProxyServer({ agent, xfwd: true });
  const upgraded = new Set<Duplex>();

  const bound = (proxyReq: http.ClientRequest) =>
    proxyReq.setTimeout(options.proxyTimeoutMs, () => proxyReq.destroy(new UpstreamTimeout(`no answer within ${options.proxyTimeoutMs} ms`)));
  // Every call passes its own error callback; this one only keeps a stray error from crashing the gateway.
  proxy.on('error', (err) => logger.warn({ err }, 'proxy error'));
  proxy.on('proxyReq', bound);
  // Bounds the upgrade request until the service answers it; the upgraded socket has no timeout
  // (http-proxy-3 clears it), since ws-service pings its sockets itself.
  proxy.on('proxyReqWs', bound);

  return {
    web(req, res, { route, url }) {
      req.url = url;
      proxy.web(req, res, { target: route.target }, (err) => {
        logger.warn({ err, service: route.service, method: req.method, url }, 'proxying failed');
        if (res.headersSent) res.destroy();
        else sendError(res, answerFor(err));
      });
    },
    ws(req, socket, head, { route, url }) {
      req.url = url;
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
      proxy.ws(req, socket, head, { target: route.target }, (err) => {
        logger.warn({ err, service: route.service, url }, 'proxying an upgrade failed');
        // Nothing written yet means no 101 either: the client still reads an HTTP answer.
        if ((socket as Socket).bytesWritten === 0) refuseUpgrade(socket, answerFor(err));
      });
    },
    close() {
      for (const socket of upgraded) socket.destroy();
      agent.destroy();
    },
  };
}
