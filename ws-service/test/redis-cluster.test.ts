/**
 * On a Redis Cluster an instance subscribes (SSUBSCRIBE) to the channels it wants, and only
 * those: a room's while it has clients or watching streams there, a person's while they have a
 * stream there. The cross-instance behaviour on the cluster is in live-events.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { registerUser, startAuthService, type AuthUnderTest } from '@murmur/auth-service/testing';
import { api } from '@murmur/shared/testing';
import { parseClusterNodes } from '@murmur/shared/redis';
import { connect, startWsService, type WsUnderTest } from './helpers.js';

describe('ws-service on a Redis Cluster', () => {
  const nodes = process.env.TEST_REDIS_CLUSTER_NODES;
  const prefix = `murmur-test:${randomUUID()}:`;
  let auth: AuthUnderTest;
  let ws: WsUnderTest;
  let admin: Cluster;

  before(async () => {
    if (!nodes) throw new Error('TEST_REDIS_CLUSTER_NODES is not set: run the tests with npm test, which starts a Redis Cluster');
    auth = await startAuthService();
    ws = await startWsService({ REDIS_CLUSTER_NODES: nodes, REDIS_KEY_PREFIX: prefix });
    admin = new Cluster(parseClusterNodes(nodes));
  });
  after(async () => {
    await ws.close();
    await auth.close();
    admin.disconnect();
  });

  /** How many subscribers the channel has, summed over the masters (each holds its own slots' channels). */
  async function subscribers(channel: string): Promise<number> {
    const counts = await Promise.all(admin.nodes('master').map(async (node) => Number(((await node.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1])));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Resolves once the channel has `count` subscribers. */
  async function until(channel: string, count: number): Promise<void> {
    while ((await subscribers(channel)) !== count) await new Promise((resolve) => setImmediate(resolve));
  }

  it('follows a room while it has clients here and a person while they have a stream here, and nothing else', async () => {
    const alice = await registerUser(auth.url, 'rc');
    const create = async (name: string) => (await api(ws.url, 'POST', '/ws/createRoom', { token: alice.token, body: { name, visibility: 'private' } })).body.id as number;
    const [joined, other] = [await create('joined'), await create('other')];
    const socket = await connect(ws.wsUrl, `/ws/joinRoom/${joined}`, { token: alice.token });
    await socket.next('history');
    await until(`${prefix}room:${joined}`, 1);
    assert.equal(await subscribers(`${prefix}room:${other}`), 0);
    assert.equal(await subscribers(`${prefix}user:${alice.id}`), 0);

    const stream = await connect(ws.wsUrl, '/ws/stream', { token: alice.token });
    await stream.next('ready');
    // ready waits for the person's channel; the stream watches her two rooms.
    assert.equal(await subscribers(`${prefix}user:${alice.id}`), 1);
    await until(`${prefix}room:${other}`, 1);

    await Promise.all([socket.close(), stream.close()]);
    await until(`${prefix}room:${joined}`, 0);
    await until(`${prefix}room:${other}`, 0);
    await until(`${prefix}user:${alice.id}`, 0);
  });
});
