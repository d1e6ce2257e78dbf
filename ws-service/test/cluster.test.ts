import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { registerUser, startAuthService, type AuthUnderTest, type RegisteredUser } from '@murmur/auth-service/testing';
import { createLogger } from '@murmur/shared/logger';
import { api, within } from '@murmur/shared/testing';
import { RedisBroker } from '../src/delivery/broker-redis.js';
import { RedisPresence } from '../src/delivery/presence-redis.js';
import { openRedis } from '@murmur/shared/redis';
import {
  connect,
  createRoom,
  dropRedisKeys,
  join,
  listedRoom,
  RESUBSCRIBE_TIMEOUT_MS,
  startLinkedInstance,
  startWsService,
  TEST_REDIS_URL as REDIS_URL,
  type TestSocket,
  type WsUnderTest,
  FAST_SENDING_ENV,
} from './helpers.js';

/** Short, so a crashed instance expires within the test; long enough that a busy test machine never misses three heartbeats. */
const PRESENCE_TTL_MS = 1_500;

describe('several instances through Redis', () => {
  // One prefix per run: parallel runs on the same Redis never see each other's rooms.
  const prefix = `murmur-test:${randomUUID()}:`;
  const clusterEnv = {
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    WS_PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
    ...FAST_SENDING_ENV,
  };
  let auth: AuthUnderTest;
  let first: WsUnderTest;
  let second: WsUnderTest;
  let admin: Redis;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;

  /** Starts an instance of the cluster and waits until it receives the others' events. */
  const startInstance = (options: { broker?: RedisBroker; presence?: RedisPresence } = {}): Promise<WsUnderTest> => startLinkedInstance(clusterEnv, options);

  before(async () => {
    admin = new Redis(REDIS_URL);
    auth = await startAuthService();
    [alice, bob, carol] = await Promise.all([registerUser(auth.url, 'alice'), registerUser(auth.url, 'bob'), registerUser(auth.url, 'carol')]);
    first = await startInstance();
    second = await startInstance();
  });

  after(async () => {
    await Promise.all([first.close(), second.close()]);
    await auth.close();
    await dropRedisKeys(prefix);
    await admin.quit();
  });

  const clients = async (instance: WsUnderTest, roomId: number, token: string) => {
    const res = await api(instance.url, 'GET', `/ws/getClients/${roomId}`, { token });
    assert.equal(res.status, 200);
    return (res.body as Array<{ id: number; username: string }>).map((u) => u.id).sort((x, y) => x - y);
  };

  const clientCount = async (instance: WsUnderTest, roomId: number, token: string) =>
    ((await listedRoom(instance.url, token, roomId)) as { clients: number } | undefined)?.clients;

  const publicUser = (user: RegisteredUser) => ({ id: user.id, username: user.username });

  it('delivers a message sent on one instance to a client of the other, with the same id, and acknowledges it once', async () => {
    const roomId = await createRoom(first.url, alice.token);
    const { socket: a } = await join(first.wsUrl, roomId, { token: alice.token });
    const { socket: b } = await join(second.wsUrl, roomId, { token: bob.token });
    const ack = await a.say('across instances');
    assert.deepEqual(await b.next('message'), ack);
    const reply = await b.say('and back');
    assert.deepEqual(await a.next('message'), reply);
    // Each event arrives once: the publisher ignores its own echo.
    const third = await a.say('third');
    assert.deepEqual(await b.next('message'), third);
    await b.say('fourth');
    assert.deepEqual((await a.next('message')).text, 'fourth');
    assert.deepEqual(a.take('message'), []);
    assert.deepEqual(b.take('message'), []);
    await Promise.all([a.close(), b.close()]);
  });

  it("carries edits, deletions and read markers to the other instance, whose recent history then shows each message as it is now", async () => {
    const roomId = await createRoom(first.url, alice.token);
    const { socket: a } = await join(first.wsUrl, roomId, { token: alice.token });
    const { socket: b } = await join(second.wsUrl, roomId, { token: bob.token });
    const kept = await a.say('typo');
    const doomed = await a.say('oops');
    await b.next('message', (e) => e.seq === doomed.seq);
    a.send({ type: 'edit', seq: kept.seq, text: 'fixed' });
    const edit = await b.next('message_edited');
    assert.deepEqual([edit.target, edit.text], [kept.seq, 'fixed']);
    a.send({ type: 'delete', seq: doomed.seq });
    assert.equal((await b.next('message_deleted')).target, doomed.seq);
    b.send({ type: 'read', seq: doomed.seq });
    assert.deepEqual(await a.next('read'), { type: 'read', roomId, user: publicUser(bob), seq: doomed.seq });
    // The second instance's memory (which serves this join) applied both changes.
    const { socket: late, history } = await join(second.wsUrl, roomId, { token: carol.token });
    assert.deepEqual(
      history.messages.map((m: any) => [m.seq, m.text]),
      [
        [kept.seq, 'fixed'],
        [doomed.seq, null],
      ],
    );
    await Promise.all([a.close(), b.close(), late.close()]);
  });

  it('announces a user once when they join on one instance and again on the other, and leaves only when their last socket does', async () => {
    const roomId = await createRoom(first.url, alice.token);
    const { socket: a } = await join(first.wsUrl, roomId, { token: alice.token });
    const { socket: b1 } = await join(first.wsUrl, roomId, { token: bob.token });
    assert.deepEqual((await a.next('participant_joined')).user, publicUser(bob));
    const { socket: b2 } = await join(second.wsUrl, roomId, { token: bob.token });
    // A REST call on the second instance runs after its presence update on the same Redis
    // connection, so an announcement, had there been one, is published before the message.
    assert.deepEqual(await clients(second, roomId, alice.token), [alice.id, bob.id].sort((x, y) => x - y));
    await b2.say('joined twice');
    await a.next('message', (e) => e.text === 'joined twice');
    assert.deepEqual(a.take('participant_joined'), []);

    await b1.close();
    // Likewise on the first instance: the departure's answer came before this one.
    assert.deepEqual(await clients(first, roomId, alice.token), [alice.id, bob.id].sort((x, y) => x - y));
    await a.say('probe');
    assert.deepEqual(a.take('participant_left'), []);

    await b2.close();
    assert.deepEqual((await a.next('participant_left')).user, publicUser(bob));
    await a.say('probe again');
    assert.deepEqual(a.take('participant_left'), []);
    await a.close();
  });

  it('lists the users of both instances, each once, in getClients and getRooms on either', async () => {
    const roomId = await createRoom(first.url, alice.token);
    const { socket: a } = await join(first.wsUrl, roomId, { token: alice.token });
    const { socket: b1 } = await join(second.wsUrl, roomId, { token: bob.token });
    const { socket: b2 } = await join(first.wsUrl, roomId, { token: bob.token });
    const both = [alice.id, bob.id].sort((x, y) => x - y);
    for (const instance of [first, second]) {
      assert.deepEqual(await clients(instance, roomId, carol.token), both);
      assert.equal(await clientCount(instance, roomId, carol.token), 2);
    }
    const res = await api(second.url, 'GET', `/ws/getClients/${roomId}`, { token: carol.token });
    assert.deepEqual(
      [...res.body].sort((x: any, y: any) => x.id - y.id),
      [publicUser(alice), publicUser(bob)].sort((x, y) => x.id - y.id),
    );
    // Carol watches from the second instance: once both have left everywhere, she is alone.
    const { socket: watcher } = await join(second.wsUrl, roomId, { token: carol.token });
    await Promise.all([a.close(), b1.close(), b2.close()]);
    const gone = [(await watcher.next('participant_left')).user.id, (await watcher.next('participant_left')).user.id];
    assert.deepEqual(gone.sort((x, y) => x - y), both);
    assert.deepEqual(await clients(second, roomId, carol.token), [carol.id]);
    assert.equal(await clientCount(first, roomId, carol.token), 1);
    await watcher.close();
  });

  it('relays typing to a client of the other instance but not back to the sender', async () => {
    const roomId = await createRoom(first.url, alice.token);
    const { socket: a } = await join(first.wsUrl, roomId, { token: alice.token });
    const { socket: b } = await join(second.wsUrl, roomId, { token: bob.token });
    a.send({ type: 'typing' });
    assert.deepEqual((await b.next('typing')).user, publicUser(alice));
    b.send({ type: 'typing' });
    assert.deepEqual((await a.next('typing')).user, publicUser(bob));
    await a.say('after typing');
    await b.say('after typing too');
    assert.deepEqual(a.take('typing'), []);
    assert.deepEqual(b.take('typing'), []);
    await Promise.all([a.close(), b.close()]);
  });

  it('withdraws the users of an instance that shuts down, announcing that they left', async () => {
    const third = await startInstance();
    let stopped = false;
    let carolSocket: TestSocket | undefined;
    try {
      const roomId = await createRoom(first.url, alice.token);
      const { socket: a } = await join(first.wsUrl, roomId, { token: alice.token });
      ({ socket: carolSocket } = await join(third.wsUrl, roomId, { token: carol.token }));
      assert.deepEqual((await a.next('participant_joined')).user, publicUser(carol));
      assert.deepEqual(await clients(first, roomId, alice.token), [alice.id, carol.id].sort((x, y) => x - y));
      stopped = true;
      await third.close();
      assert.equal((await carolSocket.closed).code, 1001);
      assert.deepEqual((await a.next('participant_left')).user, publicUser(carol));
      assert.deepEqual(await clients(first, roomId, alice.token), [alice.id]);
      assert.equal(await clientCount(second, roomId, alice.token), 1);
      await a.close();
    } finally {
      if (!stopped) await third.close();
    }
  });

  it('expires the users of a crashed instance after the presence TTL, and announces that they left', async () => {
    const logger = createLogger('ws-service', 'silent');
    const instanceId = randomUUID();
    const connections = ['publisher', 'subscriber', 'presence'].map((role) => openRedis(REDIS_URL, logger, role, instanceId));
    const [publisher, subscriber, redis] = connections as [Redis, Redis, Redis];
    const crashing = await startInstance({
      broker: new RedisBroker({ publisher, subscriber, prefix, logger }),
      presence: new RedisPresence({ redis, prefix, instanceId, ttlMs: PRESENCE_TTL_MS, logger }),
    });
    try {
      const roomId = await createRoom(first.url, alice.token);
      const { socket: a } = await join(first.wsUrl, roomId, { token: alice.token });
      await join(crashing.wsUrl, roomId, { token: carol.token });
      assert.deepEqual((await a.next('participant_joined')).user, publicUser(carol));
      assert.deepEqual(await clients(second, roomId, alice.token), [alice.id, carol.id].sort((x, y) => x - y));
      // The crash: its Redis connections drop without a goodbye and its heartbeat finds no Redis.
      for (const connection of connections) connection.disconnect();
      // The first instance's heartbeat sweeps carol once her presence has run out.
      const left = await a.next('participant_left', () => true, 5 * PRESENCE_TTL_MS);
      assert.deepEqual(left.user, publicUser(carol));
      assert.deepEqual(await clients(second, roomId, alice.token), [alice.id]);
      assert.equal(await clientCount(first, roomId, alice.token), 1);
      await a.close();
    } finally {
      await crashing.close();
    }
  });

  it('survives losing its Redis connections, and relays again once they are back', async () => {
    const roomId = await createRoom(first.url, alice.token);
    const { socket: a } = await join(first.wsUrl, roomId, { token: alice.token });
    const { socket: b } = await join(second.wsUrl, roomId, { token: bob.token });
    const broker = second.service.broker;
    assert.ok(broker instanceof RedisBroker);
    const resubscribed = new Promise<void>((resolve) => broker.once('subscribed', resolve));
    // Kill every connection of the second instance (its pub/sub one included), and only those:
    // other runs on the same Redis are left alone.
    const list = (await admin.client('LIST')) as string;
    const ids = list
      .split('\n')
      .filter((line) => line.includes(`name=murmur-ws-`) && line.includes(second.service.hub.instanceId))
      .map((line) => /\bid=(\d+)/.exec(line)?.[1]);
    assert.equal(ids.length, 3);
    for (const id of ids) await admin.client('KILL', 'ID', id!);
    // Published while the second instance cannot hear: it reads them from the database once its
    // subscription is back, in order, before anything newer.
    const missed = [await a.say('while cut off 1'), await a.say('while cut off 2')];
    await within(resubscribed, RESUBSCRIBE_TIMEOUT_MS, 'resubscribing');
    assert.deepEqual([await b.next('message'), await b.next('message')], missed);
    // Local delivery never stopped; delivery across instances is back in both directions.
    const local = await join(second.wsUrl, roomId, { token: carol.token });
    const ack = await a.say('after the reconnect');
    assert.deepEqual(await b.next('message', (e) => e.text === 'after the reconnect'), ack);
    const reply = await b.say('back to you');
    assert.deepEqual(await a.next('message', (e) => e.text === 'back to you'), reply);
    assert.deepEqual(await local.socket.next('message', (e) => e.text === 'back to you'), reply);
    assert.deepEqual(await clients(second, roomId, alice.token), [alice.id, bob.id, carol.id].sort((x, y) => x - y));
    await Promise.all([a.close(), b.close(), local.socket.close()]);
  });

  it('writers on both instances: every observer sees 1..N once each, and a reader that keeps dropping and resuming on either instance ends with exactly 1..N', async () => {
    const roomId = await createRoom(first.url, alice.token);
    const instances = [first, second];
    const observers = await Promise.all(instances.map(async (instance) => (await join(instance.wsUrl, roomId, { token: carol.token })).socket));
    const writers = await Promise.all(
      instances.map(async (instance, i) => (await join(instance.wsUrl, roomId, { token: [alice, bob][i]!.token })).socket),
    );
    const PER_WRITER = 60;
    const total = PER_WRITER * writers.length;
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    const collect = async (socket: TestSocket, count: number) => {
      const seqs: number[] = [];
      while (seqs.length < count) seqs.push((await socket.next('message')).seq);
      return seqs;
    };

    // The reader drops after every few messages and resumes from the last seq it holds, on the other instance each time.
    const reader = (async () => {
      const seqs: number[] = [];
      for (let hop = 0; seqs.length < total; hop += 1) {
        const since = seqs.at(-1) ?? 0;
        const socket = await connect(instances[hop % 2]!.wsUrl, `/ws/joinRoom/${roomId}?since=${since}`, { token: carol.token });
        seqs.push(...(await collect(socket, Math.min(7 + hop, total - seqs.length))));
        await socket.close();
      }
      return seqs;
    })();

    for (let i = 0; i < PER_WRITER; i += 1) writers.forEach((socket, w) => socket.send({ type: 'message', text: `${w}:${i}` }));
    for (const observer of observers) assert.deepEqual(await collect(observer, total), expected);
    assert.deepEqual(await reader, expected);
    await Promise.all([...observers, ...writers].map((socket) => socket.close()));
  });

  it('keeps serving its own clients while Redis is unreachable', async () => {
    // Nothing listens on port 1: every connection attempt is refused and retried.
    const alone = await startWsService({ ...clusterEnv, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const roomId = await createRoom(alone.url, alice.token);
      const { socket: a } = await join(alone.wsUrl, roomId, { token: alice.token });
      const { socket: b } = await join(alone.wsUrl, roomId, { token: bob.token });
      // Presence falls back to this instance's own view once the updates give up.
      assert.deepEqual((await a.next('participant_joined')).user, publicUser(bob));
      const ack = await a.say('no redis here');
      assert.deepEqual(await b.next('message'), ack);
      assert.deepEqual(await clients(alone, roomId, alice.token), [alice.id, bob.id].sort((x, y) => x - y));
      await Promise.all([a.close(), b.close()]);
    } finally {
      await alone.close();
    }
  });
});
