/**
 * Redis presence: every instance records the users it holds in each room under its own id, with
 * an expiry its heartbeat pushes forward; the cluster-wide 0→1 and 1→0 transitions are decided
 * by Lua scripts (presence-scripts.ts), atomically. An instance that stops cleanly withdraws its
 * users; one that crashes stops refreshing, and its users disappear once their expiry passes,
 * announced as `participant_left` by the next heartbeat of an instance still serving the room.
 *
 * A Redis outage never throws into the hub or the REST API: a failed update or read is logged
 * and falls back to this instance's own view (its announcements, its users); the heartbeat
 * re-asserts everything this instance holds once Redis is back.
 */
import { Cluster, type Redis, type Result } from 'ioredis';
import type { Logger } from '@murmur/shared/logger';
import type { ExpiredHandler, PresenceTracker } from './presence.js';
import { MemoryPresence } from './presence-memory.js';
import { ARRIVE_LUA, COUNT_LUA, DEPART_LUA, PARTICIPANTS_LUA, REFRESH_LUA } from './presence-scripts.js';
import type { PublicUser } from '../protocol.js';
import { closeRedis } from '@murmur/shared/redis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    presenceArrive(users: string, names: string, userKey: string, ...args: Array<string | number>): Result<number, Context>;
    presenceDepart(users: string, names: string, userKey: string, ...args: Array<string | number>): Result<number, Context>;
    presenceRefresh(numKeys: number, ...keysAndArgs: Array<string | number>): Result<string[], Context>;
    presenceCount(users: string): Result<number, Context>;
    presenceParticipants(users: string, names: string): Result<string[], Context>;
  }
}

/** Heartbeats per TTL: an instance's presence survives two missed heartbeats and expires on the third. */
const HEARTBEATS_PER_TTL = 3;
/** Longest wait in `close` for updates in flight: a Redis that does not answer must not hold shutdown past its deadline. */
const CLOSE_WAIT_MS = 2_000;

export interface RedisPresenceOptions {
  /** A connection for commands (not a subscriber); the tracker closes it. */
  redis: Redis | Cluster;
  /** Prefix of the keys, shared by every instance of one cluster. */
  prefix: string;
  /** This instance's id, under which its presence is recorded. */
  instanceId: string;
  /** How long this instance's presence lasts without a heartbeat. */
  ttlMs: number;
  logger: Logger;
}

interface RoomKeys {
  users: string;
  names: string;
  /** The per-user key is this followed by the user id. */
  userPrefix: string;
}

export class RedisPresence implements PresenceTracker {
  /** The users this instance holds, by room: what every heartbeat re-asserts. */
  private readonly local = new MemoryPresence();
  /** Updates in flight, awaited by close so their announcements go out before the broker closes. */
  private readonly pending = new Set<Promise<void>>();
  private readonly expiredHandlers = new Set<ExpiredHandler>();
  private readonly timer: NodeJS.Timeout;
  private heartbeatRunning = false;
  /** Set while Redis fails, so an outage is logged once rather than once per update. */
  private failing = false;
  private closed = false;

  constructor(private readonly options: RedisPresenceOptions) {
    const { redis } = options;
    redis.defineCommand('presenceArrive', { numberOfKeys: 3, lua: ARRIVE_LUA });
    redis.defineCommand('presenceDepart', { numberOfKeys: 3, lua: DEPART_LUA });
    redis.defineCommand('presenceRefresh', { lua: REFRESH_LUA });
    redis.defineCommand('presenceCount', { numberOfKeys: 1, lua: COUNT_LUA, readOnly: true });
    redis.defineCommand('presenceParticipants', { numberOfKeys: 2, lua: PARTICIPANTS_LUA, readOnly: true });
    const heartbeatMs = options.ttlMs / HEARTBEATS_PER_TTL; // several heartbeats per TTL, so one late tick never expires a live instance
    this.timer = setInterval(() => this.heartbeat(), heartbeatMs);
    this.timer.unref();
  }

  arrived(roomId: number, user: PublicUser, onFirst: () => void): void {
    this.local.arrived(roomId, user, () => undefined);
    const keys = this.keys(roomId);
    const { instanceId, ttlMs } = this.options;
    this.track(
      this.options.redis.presenceArrive(keys.users, keys.names, keys.userPrefix + user.id, instanceId, user.id, user.username, ttlMs),
      (first) => {
        if (first === 1) onFirst();
      },
      onFirst,
    );
  }

  departed(roomId: number, user: PublicUser, onLast: () => void): void {
    this.local.departed(roomId, user, () => undefined);
    const keys = this.keys(roomId);
    this.track(
      this.options.redis.presenceDepart(keys.users, keys.names, keys.userPrefix + user.id, this.options.instanceId, user.id),
      (last) => {
        if (last === 1) onLast();
      },
      onLast,
    );
  }

  /** Falls back to this instance's own users while Redis is unavailable. */
  clientCounts(roomIds: readonly number[]): Promise<number[]> {
    return this.readOrLocal(
      async () => {
        const { redis } = this.options;
        // A cluster pipeline must stay within one slot, and each room's keys have their own.
        if (redis instanceof Cluster) return Promise.all(roomIds.map(async (roomId) => Number(await redis.presenceCount(this.keys(roomId).users))));
        // One round trip for the whole page of rooms.
        const pipeline = redis.pipeline();
        for (const roomId of roomIds) pipeline.presenceCount(this.keys(roomId).users);
        const results = (await pipeline.exec()) ?? [];
        return results.map(([err, count]) => {
          if (err) throw err;
          return Number(count);
        });
      },
      () => this.local.clientCounts(roomIds),
    );
  }

  /** Sorted by user id. Falls back to this instance's own users while Redis is unavailable. */
  async participants(roomId: number): Promise<PublicUser[]> {
    const keys = this.keys(roomId);
    const users = await this.readOrLocal(
      async () => toUsers(await this.options.redis.presenceParticipants(keys.users, keys.names)),
      () => this.local.participants(roomId),
    );
    return users.sort((a, b) => a.id - b.id);
  }

  onExpired(handler: ExpiredHandler): () => void {
    this.expiredHandlers.add(handler);
    return () => this.expiredHandlers.delete(handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    // The hub has departed every user by now; withdraw whatever is left all the same.
    for (const [roomId, users] of [...this.local.entries()]) {
      for (const user of users) this.departed(roomId, user, () => undefined);
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_WAIT_MS);
    });
    await Promise.race([Promise.all(this.pending), deadline]);
    clearTimeout(timer);
    this.expiredHandlers.clear();
    await closeRedis(this.options.redis);
  }

  /** Refreshes every room this instance holds users in, and announces the users swept as expired. */
  private heartbeat(): void {
    if (this.heartbeatRunning || this.closed) return;
    this.heartbeatRunning = true;
    const { redis, instanceId, ttlMs } = this.options;
    const rooms = [...this.local.entries()].map(([roomId, users]) => {
      const keys = this.keys(roomId);
      const args: Array<string | number> = [keys.users, keys.names, ...users.map((u) => keys.userPrefix + u.id), ttlMs, instanceId, keys.userPrefix];
      for (const user of users) args.push(user.id, user.username);
      return redis.presenceRefresh(2 + users.length, ...args).then((gone) => {
        for (const user of toUsers(gone)) for (const handler of this.expiredHandlers) handler(roomId, user);
      });
    });
    this.track(Promise.all(rooms), () => undefined, () => undefined);
    void Promise.allSettled(rooms).then(() => {
      this.heartbeatRunning = false;
    });
  }

  /** Runs `then` on success; on failure logs (once per outage) and runs `fallback`. */
  private track<T>(promise: Promise<T>, then: (value: T) => void, fallback: () => void): void {
    const settled = promise.then(
      (value) => {
        if (this.failing) this.options.logger.info('redis presence works again');
        this.failing = false;
        then(value);
      },
      (err: unknown) => {
        if (!this.failing) this.options.logger.warn({ err }, 'redis presence update failed; using this instance\'s own view until it is back');
        this.failing = true;
        fallback();
      },
    );
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }

  /**
   * Reads from Redis, or from this instance's own view when Redis is not connected or fails: a
   * REST answer never waits through reconnect attempts (queued commands may, for seconds).
   */
  private async readOrLocal<T>(fromRedis: () => Promise<T>, fromLocal: () => Promise<T>): Promise<T> {
    if (this.options.redis.status !== 'ready') return fromLocal();
    try {
      return await fromRedis();
    } catch (err) {
      this.options.logger.warn({ err }, 'reading presence from redis failed; answering with this instance\'s own users');
      return fromLocal();
    }
  }

  private keys(roomId: number): RoomKeys {
    const base = `${this.options.prefix}presence:{room:${roomId}}:`;
    return { users: `${base}users`, names: `${base}names`, userPrefix: `${base}user:` };
  }
}

/** Reads a flat list of userId, username pairs. */
function toUsers(flat: string[]): PublicUser[] {
  const users: PublicUser[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) users.push({ id: Number(flat[i]), username: flat[i + 1]! });
  return users;
}
