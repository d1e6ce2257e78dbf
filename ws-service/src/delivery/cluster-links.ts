/**
 * Chooses how an instance reaches the rest of its cluster: without REDIS_URL it is alone (the
 * in-memory broker and presence); with it, through Redis (broker-redis.ts, presence-redis.ts).
 */
import type { Logger } from '@murmur/shared/logger';
import type { ServiceConfig } from '../config.js';
import type { Broker } from './broker.js';
import { MemoryBroker } from './broker-memory.js';
import { RedisBroker } from './broker-redis.js';
import type { PresenceTracker } from './presence.js';
import { MemoryPresence } from './presence-memory.js';
import { RedisPresence } from './presence-redis.js';
import { openRedis } from '@murmur/shared/redis';

export interface ClusterLinks {
  broker: Broker;
  presence: PresenceTracker;
}

/** Builds whichever of the broker and presence `given` lacks, from the config. */
export function openClusterLinks(
  config: Pick<ServiceConfig, 'REDIS_URL' | 'REDIS_KEY_PREFIX' | 'WS_PRESENCE_TTL_MS'>,
  logger: Logger,
  instanceId: string,
  given: Partial<ClusterLinks> = {},
): ClusterLinks {
  const url = config.REDIS_URL;
  const prefix = config.REDIS_KEY_PREFIX;
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
