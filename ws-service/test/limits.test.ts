import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api } from '@murmur/shared/testing';
import { CloseCode } from '../src/ws/close-codes.js';
import { createRoom, join, startStack, type Stack, type TestSocket, FAST_SENDING_ENV } from './helpers.js';

describe('per-connection rate limit', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  before(async () => {
    // The account's typing budget is raised: these typing frames test the socket's own limit.
    stack = await startStack({ WS_MESSAGES_PER_SECOND: '20', WS_MESSAGE_BURST: '40', WS_USER_TYPING_PER_SECOND: '1000', WS_USER_TYPING_BURST: '1000' });
    alice = await registerUser(stack.auth.url, 'alice');
  });
  after(() => stack.close());

  it('answers frames over the limit with RATE_LIMITED, then closes with 1008 when the flood goes on', async () => {
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    // The burst of 40 passes; the next 5 are refused, and the connection stays.
    for (let i = 0; i < 45; i += 1) socket.send({ type: 'typing' });
    const first = await socket.next('error');
    assert.equal(first.code, 'RATE_LIMITED');
    for (let i = 0; i < 3; i += 1) assert.equal((await socket.next('error')).code, 'RATE_LIMITED');
    assert.equal(socket.ws.readyState, WebSocket.OPEN);
    // Three times the rate within a second is a flood.
    for (let i = 0; i < 60; i += 1) socket.send({ type: 'typing' });
    const closed = await socket.closed;
    assert.equal(closed.code, CloseCode.POLICY_VIOLATION);
    assert.ok(socket.take('error').every((e) => e.code === 'RATE_LIMITED'));
  });
});

describe('per-account message rate', () => {
  let stack: Stack;
  before(async () => {
    // Each socket may send plenty; the account may send 10 at once, then 1 per second.
    stack = await startStack({ ...FAST_SENDING_ENV, WS_USER_MESSAGES_PER_SECOND: '1', WS_USER_MESSAGE_BURST: '10' });
  });
  after(() => stack.close());

  it('counts every socket of one account together; other accounts are not affected', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((p) => registerUser(stack.auth.url, p)));
    const roomId = await createRoom(stack.ws.url, alice!.token);
    const sockets = await Promise.all([1, 2, 3].map(async () => (await join(stack.ws.wsUrl, roomId, { token: alice!.token })).socket));
    // Two sockets spend 8 of the 10; the third gets 2 through and 2 refused.
    const send = (socket: TestSocket, ids: string[]) => ids.forEach((id) => socket.send({ type: 'message', text: id, clientMsgId: id }));
    for (const [s, socket] of sockets.slice(0, 2).entries()) {
      const ids = [1, 2, 3, 4].map((i) => `s${s}-${i}`);
      send(socket, ids);
      for (const id of ids) await socket.next('message', (m) => m.clientMsgId === id);
    }
    const last = sockets[2]!;
    send(last, ['s2-1', 's2-2', 's2-3', 's2-4']);
    await last.next('message', (m) => m.clientMsgId === 's2-2');
    const refusals = [await last.next('error'), await last.next('error')];
    assert.deepEqual(
      refusals.map((e) => [e.code, e.clientMsgId]),
      [
        ['RATE_LIMITED', 's2-3'],
        ['RATE_LIMITED', 's2-4'],
      ],
    );
    const { body: history } = await api(stack.ws.url, 'GET', `/ws/rooms/${roomId}/messages`, { token: alice!.token });
    assert.equal(history.items.length, 10, 'refused messages are not stored');

    const { socket: bobs } = await join(stack.ws.wsUrl, roomId, { token: bob!.token });
    assert.equal((await bobs.say('bob is not limited by alice')).text, 'bob is not limited by alice');
    await Promise.all([...sockets, bobs].map((socket) => socket.close()));
  });
});

describe('slow consumer', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ WS_MAX_BUFFERED_BYTES: String(256 * 1024), WS_MESSAGES_PER_SECOND: '100000', WS_MESSAGE_BURST: '100000', WS_USER_MESSAGES_PER_SECOND: '100000', WS_USER_MESSAGE_BURST: '100000' });
  });
  after(() => stack.close());

  it('disconnects a client that stops reading with 4008, and the others keep getting messages', async () => {
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((p) => registerUser(stack.auth.url, p)));
    const roomId = await createRoom(stack.ws.url, alice!.token);
    const { socket: slow } = await join(stack.ws.wsUrl, roomId, { token: bob!.token });
    const { socket: observer } = await join(stack.ws.wsUrl, roomId, { token: carol!.token });
    const { socket: flooder } = await join(stack.ws.wsUrl, roomId, { token: alice!.token });
    (slow.ws as any)._socket.pause();

    let dropped = false;
    const slowLeft = observer.next('participant_left', (e) => e.user.id === bob!.id, 30_000).then((event) => {
      dropped = true;
      return event;
    });
    slowLeft.catch(() => undefined); // awaited below; a timeout must not also be an unhandled rejection
    const text = 'x'.repeat(2000);
    // The kernel buffers a few MB before the server's own buffer grows; bounded so the test ends.
    // A batch's acknowledgements (~100 KB in one turn) stay under the flooder's own bound.
    for (let batch = 0; batch < 200 && !dropped; batch += 1) {
      const acks = [];
      for (let i = 0; i < 50; i += 1) acks.push(flooder.say(text, `b${batch}-${i}`));
      await Promise.all(acks);
    }
    assert.ok(dropped, 'the slow client was dropped');
    await slowLeft;

    const clients = await api(stack.ws.url, 'GET', `/ws/getClients/${roomId}`, { token: alice!.token });
    assert.deepEqual(clients.body.map((c: any) => c.id).sort(), [alice!.id, carol!.id].sort());
    const after = await flooder.say('still flowing');
    assert.equal((await observer.next('message', (e) => e.id === after.id)).text, 'still flowing');

    // Once it reads again, it finds the close frame after what was already sent.
    (slow.ws as any)._socket.resume();
    assert.equal((await slow.closed).code, CloseCode.SLOW_CONSUMER);
    await Promise.all([observer.close(), flooder.close()]);
  });
});

describe('heartbeat', () => {
  const PING_INTERVAL_MS = 100;
  let stack: Stack;
  before(async () => {
    stack = await startStack({ WS_PING_INTERVAL_MS: String(PING_INTERVAL_MS) });
  });
  after(() => stack.close());

  it('terminates a peer that does not answer pings within two intervals, and getClients stops listing it', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((p) => registerUser(stack.auth.url, p)));
    const roomId = await createRoom(stack.ws.url, alice!.token);
    const { socket: healthy } = await join(stack.ws.wsUrl, roomId, { token: alice!.token });
    const joinedAt = performance.now();
    const { socket: dead } = await join(stack.ws.wsUrl, roomId, { token: bob!.token, autoPong: false });

    const closed = await dead.closed;
    assert.equal(closed.code, 1006, 'terminated without a closing handshake');
    const elapsed = performance.now() - joinedAt;
    assert.ok(elapsed < 2 * PING_INTERVAL_MS + 400, `terminated after ${Math.round(elapsed)} ms`);
    assert.deepEqual((await healthy.next('participant_left')).user.id, bob!.id);
    const clients = await api(stack.ws.url, 'GET', `/ws/getClients/${roomId}`, { token: alice!.token });
    assert.deepEqual(clients.body, [{ id: alice!.id, username: alice!.username }]);

    // The answering peer survives further pings.
    for (let i = 0; i < 3; i += 1) await once(healthy.ws, 'ping');
    assert.equal(healthy.ws.readyState, WebSocket.OPEN);
    await healthy.close();
  });
});
