import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api } from '@murmur/shared/testing';
import { insertMessages } from '../src/store/messages.repo.js';
import { CloseCode } from '../src/ws/close-codes.js';
import { createRoom, join, startStack, type Stack, type TestSocket, FAST_SENDING_ENV } from './helpers.js';

describe('safe resends: a clientMsgId names one message', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  before(async () => {
    stack = await startStack(FAST_SENDING_ENV);
    alice = await registerUser(stack.auth.url, 'alice');
    bob = await registerUser(stack.auth.url, 'bob');
  });
  after(() => stack.close());

  const history = async (roomId: number) => (await api(stack.ws.url, 'GET', `/ws/rooms/${roomId}/messages`, { token: alice.token })).body.items as any[];

  it('answers a resend with the stored message and stores nothing; the others hear it once', async () => {
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const { socket: observer } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    const first = await socket.say('hello', 'resend-1');
    socket.send({ type: 'message', text: 'hello', clientMsgId: 'resend-1' });
    const again = await socket.next('message', (m) => m.clientMsgId === 'resend-1');
    assert.deepEqual(again, first, 'the acknowledgement of the resend is the stored message');
    const next = await socket.say('next', 'resend-2');
    assert.equal(next.seq, first.seq + 1, 'no seq was taken by the resend');

    // Delivery is in seq order: once `next` arrives, a second copy of the first would have too.
    await observer.next('message', (m) => m.id === next.id);
    assert.deepEqual(
      observer.take('message').map((m) => m.clientMsgId),
      ['resend-1'],
    );
    assert.deepEqual(
      (await history(roomId)).map((m) => m.clientMsgId),
      ['resend-2', 'resend-1'],
    );
    await Promise.all([socket.close(), observer.close()]);
  });

  it('acknowledges a resend after a reconnect, although the history sent on join already holds it', async () => {
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const stored = await socket.say('sent before the drop', 'before-drop');
    await socket.close();
    const { socket: back } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const ack = await back.say('sent before the drop', 'before-drop');
    assert.equal(ack.id, stored.id);
    assert.equal((await history(roomId)).length, 1);
    await back.close();
  });

  it('stores a clientMsgId repeated within one burst once, and acknowledges every copy', async () => {
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    for (let i = 0; i < 5; i += 1) socket.send({ type: 'message', text: 'burst', clientMsgId: 'burst' });
    const acks = [];
    for (let i = 0; i < 5; i += 1) acks.push(await socket.next('message', (m) => m.clientMsgId === 'burst'));
    assert.equal(new Set(acks.map((a) => a.id)).size, 1);
    assert.deepEqual(
      (await history(roomId)).map((m) => m.text),
      ['burst'],
    );
    await socket.close();
  });

  it('refuses a clientMsgId reused for another text with CLIENT_MSG_ID_REUSED, rather than dropping the new message silently', async () => {
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const first = await socket.say('first words', 'counter-1');
    socket.send({ type: 'message', text: 'other words', clientMsgId: 'counter-1' });
    const refusal = await socket.next('error');
    assert.equal(refusal.code, 'CLIENT_MSG_ID_REUSED');
    assert.equal(refusal.clientMsgId, 'counter-1');
    assert.deepEqual(
      (await history(roomId)).map((m) => m.id),
      [first.id],
    );
    await socket.close();
  });

  it('keeps clientMsgIds apart per author and per room, and stores one again after 24 hours', async () => {
    const roomId = await createRoom(stack.ws.url, alice.token);
    const otherRoom = await createRoom(stack.ws.url, alice.token);
    const { socket: a } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const { socket: b } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    const { socket: elsewhere } = await join(stack.ws.wsUrl, otherRoom, { token: alice.token });
    // Both sockets in the room hear both messages: wait for each sender's own.
    const say = (socket: TestSocket, user: RegisteredUser, text: string) => {
      socket.send({ type: 'message', text, clientMsgId: 'same' });
      return socket.next('message', (m) => m.clientMsgId === 'same' && m.user.id === user.id && m.text === text);
    };
    const fromAlice = await say(a, alice, 'one');
    const fromBob = await say(b, bob, 'two');
    const inOtherRoom = await say(elsewhere, alice, 'three');
    assert.equal(new Set([fromAlice.id, fromBob.id, inOtherRoom.id]).size, 3);

    // The first copy ages past the resend window.
    await stack.ws.deps.database.pool.query(`UPDATE messages SET created_at = now() - interval '25 hours' WHERE id = $1`, [fromAlice.id]);
    const later = await say(a, alice, 'one, a day later');
    assert.notEqual(later.id, fromAlice.id);
    assert.equal((await history(roomId)).length, 3);
    await Promise.all([a.close(), b.close(), elsewhere.close()]);
  });
});

describe('a flood cut-off', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ ...FAST_SENDING_ENV, WS_MESSAGES_PER_SECOND: '20', WS_MESSAGE_BURST: '40' });
  });
  after(() => stack.close());

  it('acknowledges every message it stored before closing with 1008', async () => {
    const alice = await registerUser(stack.auth.url, 'alice');
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    // 40 pass the socket's burst and are being stored when the flood of 100 more closes it.
    for (let i = 0; i < 140; i += 1) socket.send({ type: 'message', text: `m${i}`, clientMsgId: `m${i}` });
    const closed = await socket.closed;
    assert.equal(closed.code, CloseCode.POLICY_VIOLATION);
    const acknowledged = socket.take('message').map((m) => m.clientMsgId);
    const { body } = await api(stack.ws.url, 'GET', `/ws/rooms/${roomId}/messages?limit=100`, { token: alice.token });
    const stored = (body.items as any[]).map((m) => m.clientMsgId).reverse();
    // At least the burst; the bucket may refill one more if the machine is slow.
    assert.ok(stored.length >= 40 && stored.length < 140, `${stored.length} stored`);
    assert.deepEqual(acknowledged, stored);
  });
});

describe('insertMessages', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('maps every input to its result: fresh messages in several rooms, resends, copies within the batch, and an unknown room', async () => {
    const alice = await registerUser(stack.auth.url, 'alice');
    const [roomA, roomB] = [await createRoom(stack.ws.url, alice.token), await createRoom(stack.ws.url, alice.token)];
    const db = stack.ws.deps.database.db;
    const message = (roomId: number, text: string, clientMsgId: string | null) => ({ roomId, userId: alice.id, text, clientMsgId });
    const [earlier] = await insertMessages(db, [message(roomA, 'earlier', 'e')]);

    const results = await insertMessages(db, [
      message(roomB, 'b1', 'x'),
      message(roomA, 'a1', null),
      message(roomA, 'earlier', 'e'), // resent from an earlier batch
      message(2_000_000_000, 'nowhere', 'n'),
      message(roomB, 'b1', 'x'), // a copy within the batch
      message(roomA, 'a2', 'x'), // the same id in another room is another message
      message(roomB, 'b2', null),
    ]);
    const summary = results.map((r) => r && { seq: r.seq, text: r.text, resent: r.resent });
    assert.deepEqual(summary, [
      { seq: 1, text: 'b1', resent: false },
      { seq: 2, text: 'a1', resent: false },
      { seq: 1, text: 'earlier', resent: true },
      undefined,
      { seq: 1, text: 'b1', resent: true },
      { seq: 3, text: 'a2', resent: false },
      { seq: 2, text: 'b2', resent: false },
    ]);
    assert.equal(results[2]!.id, earlier!.id);
    assert.equal(results[4]!.id, results[0]!.id);
  });
});
