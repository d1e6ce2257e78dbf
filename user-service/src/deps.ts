/** Opens everything user-service depends on, from its config; main.ts and the tests share it. */
import { createServiceMetrics, type ServiceMetrics } from '@murmur/shared/http';
import type { Logger } from '@murmur/shared/logger';
import { openServiceDeps, type ServiceDeps as Deps } from '@murmur/shared/platform';
import type { ServiceConfig } from './config.js';
import { PgLiveEvents, RedisLiveEvents, type LiveEventPublisher } from '@murmur/shared/live-events';
import { openRedis, openRedisCluster } from '@murmur/shared/redis';
import { LiveUpdates } from './live/live-updates.js';
import { openMediaDeps, type MediaDeps } from './media/media-deps.js';
import { JobQueue } from './timeline/job-queue.js';
import { timelineJobRunner, type TimelineJob, type TimelineJobs } from './timeline/timeline-jobs.js';

export type ServiceDeps = Deps<ServiceConfig> & { timelineJobs: TimelineJobs; metrics: ServiceMetrics; live: LiveUpdates; media: MediaDeps };

/** How long an idle job loop waits before looking for jobs that other instances enqueued. */
const JOB_POLL_MS = 500;

/** Live events go where ws-service listens: its Redis Cluster, its Redis, or else PostgreSQL NOTIFY. */
function openLivePublisher(config: ServiceConfig, pool: Deps<ServiceConfig>['database']['pool'], logger: Logger): LiveEventPublisher {
  const redis = config.REDIS_CLUSTER_NODES
    ? openRedisCluster(config.REDIS_CLUSTER_NODES, logger, 'publisher', 'user-service')
    : config.REDIS_URL && openRedis(config.REDIS_URL, logger, 'publisher', 'user-service');
  return redis ? new RedisLiveEvents(redis, config.REDIS_KEY_PREFIX, 'user-service', logger) : new PgLiveEvents(pool, logger);
}

export async function openDeps(config: ServiceConfig, logger: Logger): Promise<ServiceDeps> {
  const platform = await openServiceDeps(config, logger);
  const metrics = createServiceMetrics('user-service');
  const publisher = openLivePublisher(config, platform.database.pool, logger);
  const live = new LiveUpdates(platform.database.db, publisher, logger);
  try {
    const timelineJobs = await JobQueue.open<TimelineJob>({
      databaseUrl: config.DATABASE_URL,
      pool: platform.database.pool,
      logger,
      queue: config.TIMELINE_JOB_QUEUE,
      workers: config.TIMELINE_WORKERS,
      pollMs: JOB_POLL_MS,
      expireSeconds: config.TIMELINE_JOB_EXPIRE_SECONDS,
      superviseSeconds: config.TIMELINE_JOB_SUPERVISE_SECONDS,
      metrics: metrics.registry,
      run: timelineJobRunner({ batchSize: config.TIMELINE_FANOUT_BATCH_SIZE, live }),
    });
    const media = openMediaDeps(config, platform.database.db, logger);
    return {
      ...platform,
      timelineJobs,
      metrics,
      live,
      media,
      async close() {
        // Jobs in hand finish on the pool before it closes; queued ones wait for the next start.
        await timelineJobs.close();
        await media.close();
        await publisher.close();
        await platform.close();
      },
    };
  } catch (err) {
    await publisher.close();
    await platform.close();
    throw err;
  }
}
