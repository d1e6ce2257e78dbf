/**
 * Chooses how an instance reaches the rest of its cluster: with REDIS_CLUSTER_NODES, through a
 * Redis Cluster (broker-redis-cluster.ts, sharded pub/sub; presence-redis.ts, each room's keys
 * in one slot); with REDIS_URL, through one Redis (broker-redis.ts, presence-redis.ts); without
 * either, it is alone (the in-memory broker and presence).
 */
import type { Logger } from '@murmur/shared/logger';
import type { ServiceConfig } from '../config.js';
import type { Broker } from './broker.js';
import { MemoryBroker } from './broker-memory.js';
import { RedisBroker } from './broker-redis.js';
import type { PresenceTracker } from './presence.js';
import { MemoryPresence } from './presence-memory.js';
import { RedisPresence } from './presence-redis.js';
import { openRedis, openRedisCluster } from '@murmur/shared/redis';
import { ClusterBroker } from './broker-redis-cluster.js';

export interface ClusterLinks {
  broker: Broker;
  presence: PresenceTracker;
}

/** Builds whichever of the broker and presence `given` lacks, from the config. */
export function openClusterLinks(
  config: Pick<ServiceConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_KEY_PREFIX' | 'WS_PRESENCE_TTL_MS'>,
  logger: Logger,
  instanceId: string,
  given: Partial<ClusterLinks> = {},
): ClusterLinks {
  const url = config.REDIS_URL;
  const prefix = config.REDIS_KEY_PREFIX;
  const nodes = config.REDIS_CLUSTER_NODES;
  if (nodes) {
    const name = `ws-${instanceId}`;
    return {
      broker: given.broker ?? new ClusterBroker({ cluster: openRedisCluster(nodes, logger, 'broker', name), prefix, logger }),
      presence:
        given.presence ??
        new RedisPresence({ redis: openRedisCluster(nodes, logger, 'presence', name), prefix, instanceId, ttlMs: config.WS_PRESENCE_TTL_MS, logger }),
    };
  }
  const broker =
    given.broker ??
    (url
      ? new RedisBroker({ publisher: openRedis(url, logger, 'publisher', `ws-${instanceId}`), subscriber: openRedis(url, logger, 'subscriber', `ws-${instanceId}`), prefix, logger })
      : new MemoryBroker());
  const presence =
    given.presence ??
    (url
      ? new RedisPresence({ redis: openRedis(url, logger, 'presence', `ws-${instanceId}`), prefix, instanceId, ttlMs: config.WS_PRESENCE_TTL_MS, logger })
      : new MemoryPresence());
  return { broker, presence };
}
