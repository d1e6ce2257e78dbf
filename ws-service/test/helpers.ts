/** Test support: the real ws-service on port 0 against the test database, and a WebSocket test client. */
import type { IncomingHttpHeaders } from 'node:http';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { sql } from 'drizzle-orm';
import { notifyAuthEvent, type AuthEvent, type AuthEventsSubscriber } from '@murmur/shared/auth';
import type { Db } from '@murmur/shared/db';
import { pairLock } from '@murmur/shared/safety';
import { api, within } from '@murmur/shared/testing';

import { Redis } from 'ioredis';
import { RedisBroker } from '../src/delivery/broker-redis.js';
import type { WsServerOptions } from '../src/ws-server.js';
import { startWsService, type WsUnderTest } from '../src/testing.js';

export { FAST_SENDING_ENV, startStack, startWsService, type Stack, type WsUnderTest } from '../src/testing.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Longest wait for an instance's Redis subscription to be in place (reconnects back off to 2 s at most). */
export const RESUBSCRIBE_TIMEOUT_MS = 10_000;

/**
 * Starts an instance of a cluster linked through Redis (`env` names REDIS_URL and the cluster's
 * REDIS_KEY_PREFIX) and waits until it receives the other instances' events.
 */
export async function startLinkedInstance(env: Record<string, string>, options: WsServerOptions = {}): Promise<WsUnderTest> {
  const instance = await startWsService(env, options);
  const { broker } = instance.service;
  assert.ok(broker instanceof RedisBroker);
  await within(broker.whenSubscribed(), RESUBSCRIBE_TIMEOUT_MS, 'subscribing');
  return instance;
}

/** Deletes what a cluster left in Redis under its key prefix; other runs on the same Redis keep theirs. */
export async function dropRedisKeys(prefix: string): Promise<void> {
  const admin = new Redis(TEST_REDIS_URL);
  const keys: string[] = [];
  for await (const batch of admin.scanStream({ match: `${prefix}*` }) as AsyncIterable<string[]>) keys.push(...batch);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
}

export async function createRoom(wsUrl: string, token: string, name = 'room'): Promise<number> {
  const res = await api(wsUrl, 'POST', '/ws/createRoom', { token, body: { name } });
  if (res.status !== 200) throw new Error(`createRoom failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as number;
}

/** The room as `token`'s user sees it in GET /ws/getRooms, or undefined when it is not listed there. */
export async function listedRoom(wsUrl: string, token: string, roomId: number): Promise<any> {
  // Other tests create rooms too: start the page just before this room.
  const res = await api(wsUrl, 'GET', `/ws/getRooms?cursor=${roomId - 1}&limit=1`, { token });
  assert.equal(res.status, 200);
  return res.body.items.find((room: { id: number }) => room.id === roomId);
}

export interface ConnectOptions {
  token?: string;
  cookie?: string;
  origin?: string;
  autoPong?: boolean;
  /** Extra request headers, such as X-Forwarded-For. */
  headers?: Record<string, string>;
}

const wsOptions = (options: ConnectOptions): WebSocket.ClientOptions => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  return { headers, ...(options.origin ? { origin: options.origin } : {}), autoPong: options.autoPong ?? true };
};

interface Waiter {
  match: (event: any) => boolean;
  resolve: (event: any) => void;
}

/** A WebSocket client that parses newline-delimited events and lets a test await them. */
export class TestSocket {
  /** Events received and not yet taken by `next`. */
  readonly events: any[] = [];
  /** Every frame received, raw. */
  readonly frames: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Waiter[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = data.toString('utf8');
      this.frames.push(frame);
      for (const line of frame.split('\n')) this.push(JSON.parse(line));
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  private push(event: any): void {
    const index = this.waiters.findIndex((w) => w.match(event));
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      waiter!.resolve(event);
    } else {
      this.events.push(event);
    }
  }

  /** The first event of `type` (and matching `where`), already received or arriving within `timeoutMs`. */
  next(type: string, where: (event: any) => boolean = () => true, timeoutMs = 3_000): Promise<any> {
    const match = (event: any) => event.type === type && where(event);
    const index = this.events.findIndex(match);
    if (index >= 0) return Promise.resolve(this.events.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${type} event within ${timeoutMs} ms; got ${JSON.stringify(this.events).slice(0, 500)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The events of `type` received so far, taken. */
  take(type: string): any[] {
    const taken = this.events.filter((e) => e.type === type);
    for (const event of taken) this.events.splice(this.events.indexOf(event), 1);
    return taken;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a message and resolves with its acknowledgement (the echo carrying the same clientMsgId). */
  async say(text: string, clientMsgId = `c${Math.random().toString(36).slice(2)}`): Promise<any> {
    this.send({ type: 'message', text, clientMsgId });
    return this.next('message', (e) => e.clientMsgId === clientMsgId);
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    await this.closed;
  }
}

/** Opens a socket to `path` and resolves once it is open. */
export function connect(wsUrl: string, path: string, options: ConnectOptions = {}): Promise<TestSocket> {
  const ws = new WebSocket(`${wsUrl}${path}`, wsOptions(options));
  const socket = new TestSocket(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Joins a room and waits for the history event, so the socket is registered with the hub. */
export async function join(wsUrl: string, roomId: number, options: ConnectOptions = {}): Promise<{ socket: TestSocket; history: any }> {
  const socket = await connect(wsUrl, `/ws/joinRoom/${roomId}`, options);
  const history = await socket.next('history');
  return { socket, history };
}

/** Attempts an upgrade expected to be refused; resolves with the HTTP status and JSON body. */
export function refusal(wsUrl: string, path: string, options: ConnectOptions = {}): Promise<{ status: number; body: any; headers: IncomingHttpHeaders }> {
  const ws = new WebSocket(`${wsUrl}${path}`, wsOptions(options));
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers });
      });
    });
  });
}

/**
 * What user-service does when `blockerId` blocks `blockedId` (`blocked`) or unblocks them: the
 * row, under the pair's lock, and (unless `announce` is false, as when the event is lost) the
 * auth event, in one transaction. Resolves the room's last seq read under the lock, when `roomId`
 * is given: every message of it stored before the block.
 */
export async function setBlock(db: Db, blockerId: number, blockedId: number, blocked: boolean, options: { announce?: boolean; roomId?: number } = {}): Promise<number | undefined> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT ${pairLock(blockerId, blockedId)}`);
    if (blocked) await tx.execute(sql`INSERT INTO blocks (blocker_id, blocked_id) VALUES (${blockerId}, ${blockedId}) ON CONFLICT DO NOTHING`);
    else await tx.execute(sql`DELETE FROM blocks WHERE blocker_id = ${blockerId} AND blocked_id = ${blockedId}`);
    if (options.announce !== false) await tx.execute(notifyAuthEvent({ type: 'block_changed', blockerId, blockedId, blocked }));
    if (options.roomId === undefined) return undefined;
    const { rows } = await tx.execute<{ last_seq: number }>(sql`SELECT last_seq FROM rooms WHERE id = ${options.roomId}`);
    return Number(rows[0]!.last_seq);
  });
}

/** `setBlock` with its event, resolved once `ws` has heard the event. */
export async function blockHeard(ws: WsUnderTest, blockerId: number, blockedId: number, blocked = true): Promise<void> {
  const heard = heardAuthEvent(ws.deps.verification.authEvents, 'block_changed');
  await setBlock(ws.deps.database.db, blockerId, blockedId, blocked);
  await heard;
}

/**
 * What user-service does when a moderator suspends an account (its sessions end with it) or
 * unsuspends it, with the auth event, in one transaction.
 */
export async function setSuspended(db: Db, userId: number, suspended: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    if (suspended) {
      await tx.execute(sql`UPDATE users SET suspended_at = now() WHERE id = ${userId}`);
      await tx.execute(sql`UPDATE sessions SET revoked_at = now() WHERE user_id = ${userId} AND revoked_at IS NULL`);
      await tx.execute(notifyAuthEvent({ type: 'user_suspended', userId }));
    } else {
      await tx.execute(sql`UPDATE users SET suspended_at = NULL WHERE id = ${userId}`);
      await tx.execute(notifyAuthEvent({ type: 'user_unsuspended', userId }));
    }
  });
}

/**
 * Resolves once the service's auth events have delivered an event of `type` (after the
 * service's own listeners, which were added first, handled it).
 */
export function heardAuthEvent(authEvents: AuthEventsSubscriber, type: AuthEvent['type']): Promise<AuthEvent> {
  return within(
    new Promise<AuthEvent>((resolve) => {
      const listener = (event: AuthEvent) => {
        if (event.type !== type) return;
        authEvents.off('auth_event', listener);
        resolve(event);
      };
      authEvents.on('auth_event', listener);
    }),
    3_000,
    `the ${type} auth event`,
  );
}
