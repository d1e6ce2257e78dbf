/** Starting an HTTP server and stopping a service cleanly on SIGTERM / SIGINT. */
import http from 'node:http';
import type { RequestListener } from 'node:http';
import type { Logger } from '../logger.js';

/** A service that has not stopped by then is killed: orchestrators wait about 10 s before SIGKILL. */
export const SHUTDOWN_DEADLINE_MS = 9_000;

export async function listen(handler: RequestListener, port: number, host = '0.0.0.0'): Promise<http.Server> {
  const server = http.createServer(handler);
  // Longer than common proxies' idle timeout, so the proxy closes first and never reuses a dead socket.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
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
