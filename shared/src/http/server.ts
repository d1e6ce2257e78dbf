/** Starting an HTTP server and stopping a service cleanly on SIGTERM / SIGINT. */
import http from 'node:http';
import type { IncomingMessage, RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.js';
import { enforceFirstRequestDeadline } from './first-request-deadline.js';

/** A service that has not stopped by then is killed: orchestrators wait about 10 s before SIGKILL. */
export const SHUTDOWN_DEADLINE_MS = 9_000;

/**
 * How long each service's HTTP server waits on its clients; commonEnv reads them from the
 * environment (HTTP_*), with the defaults below.
 */
export interface HttpLimitsConfig {
  /**
   * How long a client may take to send a request's headers: from the connection's opening for its
   * first request, from the request's first byte for later ones.
   */
  HTTP_HEADERS_TIMEOUT_MS: number;
  /** Time to receive a whole request, body included. */
  HTTP_REQUEST_TIMEOUT_MS: number;
  /** How long a keep-alive connection may sit idle between requests. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  /** Most connections waiting for their first request at once. */
  HTTP_MAX_PENDING_CONNECTIONS: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimitsConfig> = {
  HTTP_HEADERS_TIMEOUT_MS: 10_000,
  HTTP_REQUEST_TIMEOUT_MS: 30_000,
  // Longer than the idle timeout of the proxy in front: see HTTP_KEEP_ALIVE_TIMEOUT_MS in config.ts.
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
  // A reconnect storm is thousands of honest connections whose requests the busy event loop has
  // not parsed yet: they count as waiting too. The cap is sized for a storm of 10,000 clients on
  // one instance, so it cuts a flood of silent connections without cutting a storm.
  HTTP_MAX_PENDING_CONNECTIONS: 20_000,
};

/** Node checks its header and request deadlines on a timer (every 30 s by default); at most this long apart here. */
const MAX_CONNECTIONS_CHECK_INTERVAL_MS = 1_000;

export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * An HTTP server with the limits every service uses. `onUpgrade` is the only way to take
 * upgrades: a connection upgraded through a listener added to the server directly would still
 * be closed at its first-request deadline.
 */
export function createHttpServer(handler: RequestListener, limits: HttpLimitsConfig, onUpgrade?: UpgradeListener): http.Server {
  // Node refuses a headers timeout above the request timeout; the request timeout bounds the headers anyway.
  const headersTimeout = Math.min(limits.HTTP_HEADERS_TIMEOUT_MS, limits.HTTP_REQUEST_TIMEOUT_MS);
  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout: limits.HTTP_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.max(1, Math.min(MAX_CONNECTIONS_CHECK_INTERVAL_MS, Math.floor(headersTimeout / 2))),
    },
    handler,
  );
  server.keepAliveTimeout = limits.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  const firstRequest = enforceFirstRequestDeadline(server, { timeoutMs: headersTimeout, maxPending: limits.HTTP_MAX_PENDING_CONNECTIONS });
  if (onUpgrade) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      firstRequest.release(socket);
      onUpgrade(req, socket, head);
    });
  }
  return server;
}

/**
 * Connections the kernel queues before the server accepts them. Node's default (511) is too few
 * for a reconnect storm: connections beyond it are dropped and their clients retry a second
 * later. The kernel caps it at net.core.somaxconn.
 */
export const DEFAULT_LISTEN_BACKLOG = 4096;

/** Listens on `port` (0 for any free one); resolves with the port, rejects if it is taken. */
export async function listenOn(server: http.Server, port: number, host = '0.0.0.0', backlog = DEFAULT_LISTEN_BACKLOG): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** What `listen` reads from a service's config. */
export interface ListenConfig extends HttpLimitsConfig {
  PORT: number;
  LISTEN_BACKLOG: number;
}

/** Serves `handler` with the limits, port and backlog of `config`. */
export async function listen(handler: RequestListener, config: ListenConfig, host = '0.0.0.0'): Promise<http.Server> {
  const server = createHttpServer(handler, config);
  await listenOn(server, config.PORT, host, config.LISTEN_BACKLOG);
  return server;
}

/** Stops accepting connections and waits for in-flight requests; idle keep-alive sockets are closed. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * Runs `steps` in order on the first SIGTERM or SIGINT, then exits 0 (1 if a step failed or the
 * deadline passed).
 */
export function shutdownOnSignal(logger: Logger, steps: Array<() => Promise<void>>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    let code = 0;
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        code = 1;
        logger.error({ err }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
