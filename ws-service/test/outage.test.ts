import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startFaultProxy, testDatabaseUrl, within, type FaultProxy } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { createRoom, join, startStack, startWsService, type Stack, FAST_SENDING_ENV } from './helpers.js';

const QUERY_TIMEOUT_MS = 800;
const WRITE_QUEUE_MAX = 5;

describe('ws-service during a database outage', () => {
  let proxy: FaultProxy;
  let stack: Stack;
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  before(async () => {
    proxy = await startFaultProxy(testDatabaseUrl());
    stack = await startStack({
      DATABASE_URL: proxy.url,
      DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      DB_CONNECT_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      WS_WRITE_QUEUE_MAX: String(WRITE_QUEUE_MAX),
      ...FAST_SENDING_ENV,
    });
    alice = await registerUser(stack.auth.url, 'alice');
    bob = await registerUser(stack.auth.url, 'bob');
  });
  after(async () => {
    proxy.restore();
    await stack.close();
    await proxy.close();
  });

  it('a hung database: the waiting queue stays bounded, every message is answered, none acknowledged is lost', async () => {
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const acked = [await socket.say('before the outage', 'before')];

    proxy.freeze();
    const sent = Array.from({ length: 20 }, (_, i) => `during-${i}`);
    for (const id of sent) socket.send({ type: 'message', text: id, clientMsgId: id });
    // Every message is answered: an error, since nothing can be stored (the batch in flight
    // after its deadline, the rest at once because the queue is full).
    const answers = await Promise.all(sent.map((id) => socket.next('error', (e) => e.clientMsgId === id, QUERY_TIMEOUT_MS * 5)));
    const codes = new Set(answers.map((e) => e.code));
    assert.ok(codes.has('STORAGE_BUSY'), `codes: ${[...codes].join(', ')}`);
    assert.deepEqual([...codes].filter((c) => c !== 'STORAGE_BUSY' && c !== 'MESSAGE_NOT_STORED'), []);
    assert.equal(socket.take('message').length, 0, 'nothing is acknowledged while nothing can be stored');
    proxy.restore();

    acked.push(await socket.say('after the outage', 'after'));
    const page = await api(stack.ws.url, 'GET', `/ws/rooms/${roomId}/messages?limit=100`, { token: alice.token });
    const stored = new Set(page.body.items.map((m: { clientMsgId?: string }) => m.clientMsgId));
    for (const ack of acked) assert.ok(stored.has(ack.clientMsgId), `acknowledged ${ack.clientMsgId} is stored`);
    await socket.close();
  });

  it('a removal made while the database was cut off from this instance closes the member there once it is back', async () => {
    // Another instance, on the database directly, owns the room and makes the removal.
    const other = await startWsService(FAST_SENDING_ENV);
    try {
      const roomId = (await api(other.url, 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'cut off', visibility: 'private' } })).body.id;
      assert.equal((await api(other.url, 'PUT', `/ws/rooms/${roomId}/members/${bob.id}`, { token: alice.token })).status, 200);
      const { socket } = await join(stack.ws.wsUrl, roomId, { token: bob.token });

      proxy.cut();
      // Its room events connection is down: the removal's notification never reaches it.
      assert.equal((await api(other.url, 'DELETE', `/ws/rooms/${roomId}/members/${bob.id}`, { token: alice.token })).status, 204);
      proxy.restore();
      // Reconnecting (backoff up to 5 s), it checks every socket's membership again.
      const closed = await within(socket.closed, 10_000, 'the socket closing');
      assert.equal(closed.code, 4003);
    } finally {
      await other.close();
    }
  });
});
