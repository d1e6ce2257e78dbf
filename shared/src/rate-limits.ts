/**
 * Rate limits that hold across instances: each limit counts in the `rate_limits` table, so two
 * auth-service instances (or ten) see the same counts. rate-limiter-flexible does the counting,
 * one atomic upsert per decision; this module gives every limit the same 429 answer with
 * Retry-After, and leaves a store failure to surface as an outage (503), never as a count.
 * A limit that shields the instance itself counts in its memory instead (localLimit).
 */
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * True when a failure is not the caller's doing (a database outage, any 5xx): a point it counted
 * must be given back, or an outage would use up honest users' limits.
 */
export const isOutage = (err: unknown): boolean => !(err instanceof AppError) || err.status >= 500;

/** A window as people say it: "3 hours", "15 minutes", "90 seconds". */
export function describeWindow(seconds: number): string {
  const [count, unit] = seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return count === 1 ? unit : `${count} ${unit}s`;
}

/** A limit: its points per window, and the 429 it answers past them. */
export interface LimitOptions {
  /** Points allowed per window. */
  points: number;
  windowSeconds: number;
  /** The 429's error code and what it tells the client. */
  code: string;
  message: string;
}

export interface SharedLimitOptions extends LimitOptions {
  pool: pg.Pool;
  /** Names the limit in its keys; distinct per limit. */
  name: string;
  /** Prefix of every key, so deployments (or test runs) sharing a database count apart. */
  keyPrefix: string;
  /** Where a refund that failed is reported. */
  logger?: Logger;
}

export interface SharedLimit {
  /** Counts `points` against `key`; throws 429 (with Retry-After) when that passes the limit. */
  consume(key: string, points?: number): Promise<void>;
  /** Gives back points counted for an attempt that should not count (it succeeded, or failed for an outage). */
  refund(key: string, points?: number): Promise<void>;
  /** Forgets `key`'s count. */
  reset(key: string): Promise<void>;
  /**
   * Counts one point against `key` (429 past the limit), then runs `work`. The point is given
   * back when `work` fails for an outage, or when `counts` says its result made nothing new (a
   * replayed request).
   */
  charge<T>(key: string, work: () => Promise<T>, counts?: (result: T) => boolean): Promise<T>;
}

/** Counts `points` against `key` on `limiter`; past the limit, throws its 429 with Retry-After. */
async function consumeOrRefuse(limiter: RateLimiterAbstract, options: LimitOptions, key: string, points: number): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    throw new AppError(429, options.code, `${options.message}; try again in ${retryAfterSeconds} s`, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

export function sharedLimit(options: SharedLimitOptions): SharedLimit {
  const limiter = new RateLimiterPostgres({
    storeClient: options.pool,
    storeType: 'pool',
    tableName: 'rate_limits',
    // The table comes from the migrations, like every other.
    tableCreated: true,
    clearExpiredByTimeout: true,
    keyPrefix: `${options.keyPrefix}:${options.name}`,
    points: options.points,
    duration: options.windowSeconds,
  });
  const refundQuietly = async (key: string) => {
    try {
      await limiter.reward(key, 1);
    } catch (err) {
      options.logger?.warn({ err, limit: options.name }, 'could not give back a rate-limit point');
    }
  };
  const limit: SharedLimit = {
    consume: (key, points = 1) => consumeOrRefuse(limiter, options, key, points),
    async refund(key, points = 1) {
      await limiter.reward(key, points);
    },
    async reset(key) {
      await limiter.delete(key);
    },
    async charge(key, work, counts = () => true) {
      await limit.consume(key);
      let result;
      try {
        result = await work();
      } catch (err) {
        if (isOutage(err)) await refundQuietly(key);
        throw err;
      }
      if (!counts(result)) await refundQuietly(key);
      return result;
    },
  };
  return limit;
}

export interface LocalLimit {
  /** Counts one point against `key`; throws 429 (with Retry-After) when that passes the limit. */
  consume(key: string): Promise<void>;
}

/**
 * A limit counted in this process's memory: no store to reach and nothing written, so a decision
 * costs no database work at all, but each instance counts on its own (behind a load balancer
 * that spreads a client over N instances, it may get N times the limit). For limits that shield
 * what an instance holds itself, such as its search pool, where a write per request would cost
 * more than what it protects.
 */
export function localLimit(options: LimitOptions): LocalLimit {
  const limiter = new RateLimiterMemory({ points: options.points, duration: options.windowSeconds });
  return { consume: (key) => consumeOrRefuse(limiter, options, key, 1) };
}
