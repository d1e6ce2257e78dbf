/**
 * Whether a Redis answers, for the tests and benchmark scenarios that join ws-service instances
 * through one: the test runner and the bench leave them out with a notice when none does, so both
 * still run on a machine with nothing but Node.js. A plain TCP PING: no Redis client library.
 */
import net from 'node:net';

/** Where a local Redis answers by default. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** How long to wait for Redis to answer PING before calling it absent. */
const REDIS_PROBE_TIMEOUT_MS = 1_000;
const DEFAULT_REDIS_PORT = 6379;

/** True when a Redis at `url` answers PING (without AUTH: a local Redis). */
export function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || DEFAULT_REDIS_PORT) });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(REDIS_PROBE_TIMEOUT_MS, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data: Buffer) => done(data.toString().startsWith('+PONG')));
  });
}
