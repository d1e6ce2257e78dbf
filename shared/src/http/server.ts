/** Starting an HTTP server and stopping a service cleanly on SIGTERM / SIGINT. */
import http from 'node:http';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';

/** A service that has not stopped by then is killed: orchestrators wait about 10 s before SIGKILL. */
export const SHUTDOWN_DEADLINE_MS = 9_000;

/** Longer than common proxies' idle timeout, so the proxy closes first and never reuses a dead socket. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** An HTTP server with the keep-alive settings every service uses. */
export function createHttpServer(handler: RequestListener): http.Server {
  const server = http.createServer(handler);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
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

export async function listen(handler: RequestListener, port: number, host = '0.0.0.0', backlog = DEFAULT_LISTEN_BACKLOG): Promise<http.Server> {
  const server = createHttpServer(handler);
  await listenOn(server, port, host, backlog);
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
