/**
 * Live events for one person: what user-service (a notification, a post entering or leaving a
 * home timeline) and ws-service (a chat notification) tell the person's `/ws/stream`
 * connections, on whichever ws-service instance they are. Notifications are durable in
 * PostgreSQL, timelines in `home_feed`: a live event is only a view of them, and one lost to an
 * outage is found again (`/ws/stream?since=`, a timeline page).
 *
 * Two transports, chosen by configuration: Redis pub/sub when the publisher has `REDIS_URL`
 * (one channel per person, `<prefix>user:<id>`, which ws-service's Redis broker subscribes to),
 * else PostgreSQL NOTIFY on one channel (`LIVE_EVENTS_CHANNEL`), which every ws-service instance
 * LISTENs to whether or not it has Redis. Both carry the event's JSON as it will be sent, so a
 * receiver passes it on without parsing it, and the notification id in a header, so a connection
 * that replayed notifications up to an id can drop the live copies of those.
 */
import { Cluster, type Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from './logger.js';
import { closeRedis } from './redis.js';

/** The PostgreSQL NOTIFY channel of live events. */
export const LIVE_EVENTS_CHANNEL = 'murmur_live_events';
/**
 * PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; an event with its recipients is
 * split over several NOTIFYs below this, and one event alone above it is not sent live.
 */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7_900;
/** Stands for "not a notification" in a header. */
const NONE = '-';

/** An event for one person's stream connections: its JSON, and its notification id if it is one. */
export interface LiveEvent {
  json: string;
  notificationId?: number;
}

/** The Redis channel of a person's events. */
export const personChannel = (prefix: string, userId: number) => `${prefix}user:${userId}`;

/** `<origin> <notification id or ->`: the header line of a live event on Redis. */
export function encodeRedisLiveEvent(origin: string, event: LiveEvent): string {
  return `${origin} ${event.notificationId ?? NONE}\n${event.json}`;
}

/** Reads what `encodeRedisLiveEvent` wrote; undefined for a malformed payload. */
export function decodeRedisLiveEvent(payload: string): { origin: string; event: LiveEvent } | undefined {
  const newline = payload.indexOf('\n');
  if (newline < 0) return undefined;
  const [origin = '', id = NONE] = payload.slice(0, newline).split(' ');
  return { origin, event: withId(payload.slice(newline + 1), id) };
}

/** Reads a NOTIFY payload, `<user ids, comma-separated> <notification id or ->\n<json>`. */
export function decodeNotifiedLiveEvent(payload: string): { userIds: number[]; event: LiveEvent } | undefined {
  const newline = payload.indexOf('\n');
  if (newline < 0) return undefined;
  const [ids = '', id = NONE] = payload.slice(0, newline).split(' ');
  const userIds = ids.split(',').map(Number);
  if (!userIds.every(Number.isSafeInteger)) return undefined;
  return { userIds, event: withId(payload.slice(newline + 1), id) };
}

function withId(json: string, id: string): LiveEvent {
  const notificationId = Number(id);
  return id !== NONE && Number.isSafeInteger(notificationId) ? { json, notificationId } : { json };
}

/** Sends live events; never throws (a lost live event is found again, see above). */
/** One event and the people it is for. */
export interface AddressedLiveEvent {
  userIds: readonly number[];
  event: LiveEvent;
}

export interface LiveEventPublisher {
  /** Sends each event to each of its people, in one round trip for all of them. */
  publish(events: readonly AddressedLiveEvent[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Live events over Redis pub/sub: one PUBLISH per person, pipelined; on a Redis Cluster one
 * SPUBLISH per person, each to the master of that person's channel (sharded pub/sub).
 */
export class RedisLiveEvents implements LiveEventPublisher {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly origin: string,
    private readonly logger: Logger,
  ) {}

  async publish(events: readonly AddressedLiveEvent[]): Promise<void> {
    const messages = events.flatMap(({ userIds, event }) => {
      const payload = encodeRedisLiveEvent(this.origin, event);
      return userIds.map((id) => [personChannel(this.prefix, id), payload] as const);
    });
    if (messages.length === 0) return;
    try {
      if (this.redis instanceof Cluster) {
        // A pipeline on a cluster must stay within one slot; the people's channels spread over all.
        const cluster = this.redis;
        await Promise.all(messages.map(([channel, payload]) => cluster.spublish(channel, payload)));
      } else {
        const pipeline = this.redis.pipeline();
        for (const [channel, payload] of messages) pipeline.publish(channel, payload);
        await pipeline.exec();
      }
    } catch (err) {
      this.logger.warn({ err }, 'publishing live events to redis failed');
    }
  }

  close(): Promise<void> {
    return closeRedis(this.redis);
  }
}

/** Live events over PostgreSQL NOTIFY, as many recipients per NOTIFY as its payload allows. */
export class PgLiveEvents implements LiveEventPublisher {
  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  async publish(events: readonly AddressedLiveEvent[]): Promise<void> {
    const payloads = events.flatMap(({ userIds, event }) => this.payloads(userIds, event));
    if (payloads.length === 0) return;
    try {
      await this.pool.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [LIVE_EVENTS_CHANNEL, payloads]);
    } catch (err) {
      this.logger.warn({ err }, 'sending live events by NOTIFY failed');
    }
  }

  /** The NOTIFY payloads of one event: its people, as many per payload as fit. */
  private payloads(userIds: readonly number[], event: LiveEvent): string[] {
    if (userIds.length === 0) return [];
    const tail = ` ${event.notificationId ?? NONE}\n${event.json}`;
    const room = MAX_NOTIFY_PAYLOAD_BYTES - Buffer.byteLength(tail);
    if (room < 16) {
      this.logger.warn({ bytes: Buffer.byteLength(tail) }, 'a live event is too large for a NOTIFY; it is not sent live');
      return [];
    }
    const payloads: string[] = [];
    let ids: string[] = [];
    let length = 0;
    for (const id of userIds) {
      const text = String(id);
      if (ids.length > 0 && length + 1 + text.length > room) {
        payloads.push(ids.join(',') + tail);
        ids = [];
        length = 0;
      }
      length += (ids.length > 0 ? 1 : 0) + text.length;
      ids.push(text);
    }
    payloads.push(ids.join(',') + tail);
    return payloads;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
