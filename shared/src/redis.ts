/**
 * Opening and closing Redis connections (ws-service's broker and presence, the live events
 * user-service publishes). A Redis outage must never stop a service: ioredis reconnects on its own with a capped backoff, every
 * connection has an `error` listener, and what fails meanwhile is logged, never thrown.
 */
import { Cluster, Redis } from 'ioredis';
import type { Logger } from './logger.js';

/** First reconnect delay; doubles on each failed attempt. */
const RECONNECT_BASE_MS = 50;
/** Longest wait between reconnect attempts: a Redis that comes back is found within it. */
const RECONNECT_MAX_MS = 2_000;
/** Longest wait to connect or to get an answer, so a dead Redis is noticed rather than waited on. */
const CONNECT_TIMEOUT_MS = 5_000;
/** How long `closeRedis` waits for QUIT's answer before cutting the connection; well under the shutdown deadline. */
const QUIT_TIMEOUT_MS = 1_000;
/**
 * Reconnect attempts a command waits through before it fails: commands issued during an outage
 * are queued that long at most (a few seconds), then dropped with an error instead of piling up.
 */
const MAX_RETRIES_PER_REQUEST = 3;

/**
 * Opens a connection to `url` that reconnects forever and logs its state changes.
 * @param role names the connection in the logs (`publisher`, `subscriber`, `presence`).
 * @param name names the connection in Redis (CLIENT LIST) with its role, so an operator can tell
 *   which service and instance holds it: `ws-<instance id>`, `user-service`.
 */
export function openRedis(url: string, logger: Logger, role: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: `murmur-${name}-${role}`,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST,
    retryStrategy: (attempt) => Math.min(RECONNECT_BASE_MS * 2 ** (attempt - 1), RECONNECT_MAX_MS),
  });
  let lost = false;
  redis.on('error', (err: Error) => {
    if (!lost) logger.warn({ err, role }, 'redis connection error');
  });
  redis.on('reconnecting', (delayMs: number) => {
    if (!lost) logger.warn({ role, delayMs }, 'redis connection lost; reconnecting');
    lost = true;
  });
  redis.on('ready', () => {
    if (lost) logger.info({ role }, 'redis connection back');
    lost = false;
  });
  return redis;
}

/** Closes `redis` politely (QUIT), or abruptly if Redis does not answer in time. Never throws. */
export async function closeRedis(redis: Redis | Cluster): Promise<void> {
  if (redis.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, QUIT_TIMEOUT_MS);
  });
  const quit = redis.status === 'ready' ? redis.quit().then(() => undefined, () => undefined) : Promise.resolve();
  await Promise.race([quit, timeout]);
  clearTimeout(timer);
  redis.disconnect();
}

/** `host:port` pairs, as REDIS_CLUSTER_NODES lists them. */
export function parseClusterNodes(nodes: string): Array<{ host: string; port: number }> {
  return nodes.split(',').map((node) => {
    const at = node.trim().lastIndexOf(':');
    return { host: node.trim().slice(0, at), port: Number(node.trim().slice(at + 1)) };
  });
}

/**
 * Opens a connection to the Redis Cluster at `nodes` (any of its masters; the rest are found),
 * with sharded subscribers (one per master) for SSUBSCRIBE, reconnecting forever like `openRedis`.
 */
export function openRedisCluster(nodes: string, logger: Logger, role: string, name: string): Cluster {
  const cluster = new Cluster(parseClusterNodes(nodes), {
    shardedSubscribers: true,
    clusterRetryStrategy: (attempt) => Math.min(RECONNECT_BASE_MS * 2 ** (attempt - 1), RECONNECT_MAX_MS),
    redisOptions: {
      connectionName: `murmur-${name}-${role}`,
      connectTimeout: CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST,
    },
  });
  let lost = false;
  cluster.on('error', (err: Error) => {
    if (!lost) logger.warn({ err, role }, 'redis cluster connection error');
  });
  cluster.on('node error', (err: Error, node: string) => logger.warn({ err, role, node }, 'redis cluster node error'));
  cluster.on('reconnecting', () => {
    if (!lost) logger.warn({ role }, 'redis cluster connection lost; reconnecting');
    lost = true;
  });
  cluster.on('ready', () => {
    if (lost) logger.info({ role }, 'redis cluster connection back');
    lost = false;
  });
  return cluster;
}
