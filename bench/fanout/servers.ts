/**
 * The servers the WebSocket scenarios load, each in its own process(es) so their CPU and memory
 * can be read from /proc: murmur's ws-service (one or several instances) with rooms and tokens,
 * and the baselines (socket.io, a bare `ws` loop).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchEnv, BenchUser } from '../lib/bench-env.js';
import { freePort } from '@murmur/shared/testing';
import { stopProcess } from '../../scripts/service-process.js';
import { createAgent, expectStatus } from '../lib/http-client.js';
import type { ServerKind } from './protocol.js';

export const FANOUT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)));
/** Rooms created at once over HTTP while setting up. */
const ROOM_CREATE_CONCURRENCY = 8;
/**
 * The generator is one well-behaved host with few accounts; ws-service's abuse limits must not
 * shape the benchmark (a join-storm fill sends 100 messages/s on one connection, and every
 * connection comes from 127.0.0.1). The limits' cost is still paid: they are raised, not off.
 */
export const BENCH_LIMITS_ENV = {
  WS_MESSAGES_PER_SECOND: '1000',
  WS_MESSAGE_BURST: '1000',
  WS_USER_MESSAGES_PER_SECOND: '1000000',
  WS_USER_MESSAGE_BURST: '1000000',
  WS_MAX_CONNECTIONS_PER_USER: '1000000',
  WS_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
  // Setting up creates every room with one account.
  WS_ROOMS_MAX_PER_HOUR: '1000000',
};

export interface ServerUnderLoad {
  kind: ServerKind;
  /** One process per instance: their CPU and memory are the server's. */
  pids: number[];
  /** ws:// or http:// base of each instance. */
  urls: string[];
  /** murmur: rooms created for the load, and tokens to join them. */
  roomIds?: number[];
  tokens?: string[];
  /** murmur: messages stored so far in its rooms, counted in the database. */
  storedMessages?(): Promise<number>;
  /** murmur: the newest message id in its rooms (0 when none), to count what is stored after it. */
  lastMessageId?(): Promise<number>;
  /**
   * murmur: how many messages each INSERT stored after message `afterId`. A batch's messages share
   * one transaction, so one `created_at` (now() is the transaction's start): the database itself
   * tells how the writes were batched, with nothing counted inside the service.
   */
  batchSizesAfter?(afterId: number): Promise<number[]>;
  stop(): Promise<void>;
}

export async function startBaseline(kind: 'ws-loop' | 'socket.io'): Promise<ServerUnderLoad> {
  const port = await freePort();
  const file = kind === 'ws-loop' ? 'ws-loop-server.js' : 'socketio-server.js';
  const child = fork(path.join(FANOUT_DIR, file), [String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', () => reject(new Error(`${kind} server exited`)));
  });
  const scheme = kind === 'ws-loop' ? 'ws' : 'http';
  return { kind, pids: [child.pid!], urls: [`${scheme}://127.0.0.1:${port}`], stop: () => stopProcess(child) };
}

export interface MurmurSetup {
  /** Users, one token each; connection i uses token i mod users. */
  users: number;
  rooms: number;
  /** ws-service processes; more than one needs REDIS_URL in `env`. */
  instances?: number;
  /** Extra environment for every instance. */
  env?: Record<string, string>;
  /**
   * Accounts each user blocks (none by default): as many accounts outside every room, blocked
   * by every user, so each connection holds a block list of that size and delivery checks every
   * message's author against it, while what is delivered stays the same.
   */
  blocksPerUser?: number;
}

/** Makes `count` accounts and has every one of `users` block all of them, in one statement each. */
async function blockAccounts(env: BenchEnv, users: readonly BenchUser[], count: number): Promise<void> {
  const blocked = await env.bulkUsers(`blocked${Date.now()}`, count);
  await env.pool.query(
    'INSERT INTO blocks (blocker_id, blocked_id) SELECT u, b FROM unnest($1::int[]) AS u CROSS JOIN unnest($2::int[]) AS b',
    [users.map((u) => u.id), blocked.map((u) => u.id)],
  );
  await env.pool.query('VACUUM (ANALYZE) blocks');
}

/** Creates `count` rooms through the service's API, a few at a time; ids in creation order. */
async function createRooms(serviceUrl: string, token: string, count: number): Promise<number[]> {
  const agent = createAgent(ROOM_CREATE_CONCURRENCY);
  const roomIds = new Array<number>(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const res = await expectStatus(200, agent, 'POST', `${serviceUrl}/ws/createRoom`, { authorization: `Bearer ${token}` }, JSON.stringify({ name: `bench ${i}` }));
      roomIds[i] = (JSON.parse(res.body) as { id: number }).id;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(ROOM_CREATE_CONCURRENCY, count) }, worker));
  } finally {
    agent.destroy();
  }
  return roomIds;
}

export async function startMurmur(env: BenchEnv, setup: MurmurSetup): Promise<ServerUnderLoad> {
  const services = await env.startServices('ws-service', setup.instances ?? 1, { ...BENCH_LIMITS_ENV, ...setup.env });
  const stop = () => Promise.all(services.map((s) => s.stop())).then(() => undefined);
  try {
    const users = await env.bulkUsers(`ws${Date.now()}`, setup.users);
    if (setup.blocksPerUser) await blockAccounts(env, users, setup.blocksPerUser);
    const tokens = await env.issueTokens(users);
    const roomIds = await createRooms(services[0]!.url, tokens[0]!, setup.rooms);
    return {
      kind: 'murmur',
      pids: services.map((s) => s.pid),
      urls: services.map((s) => s.url.replace('http', 'ws')),
      roomIds,
      tokens,
      storedMessages: async () =>
        (await env.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE room_id = ANY($1::int[])', [roomIds])).rows[0]!.n,
      lastMessageId: async () =>
        (await env.pool.query<{ id: number }>('SELECT coalesce(max(id), 0)::int AS id FROM messages WHERE room_id = ANY($1::int[])', [roomIds])).rows[0]!.id,
      batchSizesAfter: async (afterId) =>
        (
          await env.pool.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM messages WHERE room_id = ANY($1::int[]) AND id > $2 GROUP BY created_at',
            [roomIds, afterId],
          )
        ).rows.map((row) => row.n),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
