import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api } from '@murmur/shared/testing';
import { MemoryBroker } from '../src/delivery/broker-memory.js';
import { CloseCode } from '../src/ws/close-codes.js';
import { connect, createRoom, join, startStack, startWsService, type Stack, FAST_SENDING_ENV } from './helpers.js';

describe('chat over WebSocket', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  before(async () => {
    stack = await startStack(FAST_SENDING_ENV);
    alice = await registerUser(stack.auth.url, 'alice');
    bob = await registerUser(stack.auth.url, 'bob');
  });
  after(() => stack.close());

  const ws = () => stack.ws.wsUrl;
  const url = () => stack.ws.url;

  it('sends the last 50 messages, oldest first, as history on join', async () => {
    const roomId = await createRoom(url(), alice.token);
    const { socket: writer } = await join(ws(), roomId, { token: alice.token });
    const sent: number[] = [];
    for (let i = 1; i <= 55; i += 1) sent.push((await writer.say(`m${i}`)).seq);
    assert.deepEqual(
      sent,
      Array.from({ length: 55 }, (_, i) => i + 1),
    );
    const { socket, history } = await join(ws(), roomId, { token: bob.token });
    assert.equal(history.messages.length, 50);
    assert.equal(history.lastSeq, 55);
    assert.deepEqual(
      history.messages.map((m: any) => m.seq),
      sent.slice(5),
    );
    assert.equal(history.messages[0].text, 'm6');
    assert.deepEqual(history.messages[49].user, { id: alice.id, username: alice.username });
    await Promise.all([socket.close(), writer.close()]);
  });

  it('acknowledges a message with its stored id, and broadcasts it to the others', async () => {
    const roomId = await createRoom(url(), alice.token);
    const { socket: a } = await join(ws(), roomId, { token: alice.token });
    const { socket: b } = await join(ws(), roomId, { token: bob.token });
    a.send({ type: 'message', text: 'hello bob', clientMsgId: 'k1' });
    const ack = await a.next('message');
    assert.equal(ack.clientMsgId, 'k1');
    assert.equal(ack.text, 'hello bob');
    assert.equal(ack.roomId, roomId);
    assert.deepEqual(ack.user, { id: alice.id, username: alice.username });
    assert.ok(!Number.isNaN(Date.parse(ack.createdAt)));
    // The acknowledgement comes after the row is committed.
    const { rows } = await stack.ws.deps.database.pool.query('SELECT room_id, user_id, text, client_msg_id FROM messages WHERE id = $1', [ack.id]);
    assert.deepEqual(rows[0], { room_id: roomId, user_id: alice.id, text: 'hello bob', client_msg_id: 'k1' });
    const received = await b.next('message');
    assert.deepEqual(received, ack);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps one order: every client sees seq 1..N with no gap, matching the REST history', async () => {
    const roomId = await createRoom(url(), alice.token);
    const { socket: a } = await join(ws(), roomId, { token: alice.token });
    const { socket: b } = await join(ws(), roomId, { token: bob.token });
    for (let i = 0; i < 30; i += 1) {
      a.send({ type: 'message', text: `a${i}` });
      b.send({ type: 'message', text: `b${i}` });
    }
    const seen = async (socket: typeof a) => {
      const ids: number[] = [];
      while (ids.length < 60) ids.push((await socket.next('message')).seq);
      return ids;
    };
    const [seqsA, seqsB] = await Promise.all([seen(a), seen(b)]);
    assert.deepEqual(seqsA, seqsB);
    assert.deepEqual(
      seqsA,
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    const page = await api(url(), 'GET', `/ws/rooms/${roomId}/messages?limit=100`, { token: alice.token });
    assert.deepEqual(
      page.body.items.map((m: any) => m.seq),
      [...seqsA].reverse(),
    );
    await Promise.all([a.close(), b.close()]);
  });

  it('tells the others when a user joins and leaves, once per user however many sockets', async () => {
    const roomId = await createRoom(url(), alice.token);
    const { socket: a } = await join(ws(), roomId, { token: alice.token });
    const { socket: b1 } = await join(ws(), roomId, { token: bob.token });
    assert.deepEqual((await a.next('participant_joined')).user, { id: bob.id, username: bob.username });
    const { socket: b2 } = await join(ws(), roomId, { token: bob.token });
    await b1.close();
    // Bob still has a socket: nothing is announced. A message proves the order of events.
    await b2.say('still here');
    await a.next('message', (e) => e.text === 'still here');
    assert.deepEqual(a.take('participant_joined'), []);
    assert.deepEqual(a.take('participant_left'), []);
    await b2.close();
    assert.deepEqual((await a.next('participant_left')).user, { id: bob.id, username: bob.username });
    await a.close();
  });

  it('relays typing to the others but not back to the sender', async () => {
    const roomId = await createRoom(url(), alice.token);
    const { socket: a } = await join(ws(), roomId, { token: alice.token });
    const { socket: b } = await join(ws(), roomId, { token: bob.token });
    a.send({ type: 'typing' });
    assert.deepEqual((await b.next('typing')).user, { id: alice.id, username: alice.username });
    await a.say('after typing');
    assert.deepEqual(a.take('typing'), []);
    await Promise.all([a.close(), b.close()]);
  });

  it('packs the events of one event-loop turn into one frame, one JSON object per line', async () => {
    const roomId = await createRoom(url(), alice.token);
    const { socket: a } = await join(ws(), roomId, { token: alice.token });
    const { socket: b } = await join(ws(), roomId, { token: bob.token });
    b.frames.length = 0;
    // Sent in one write, the frames reach the server in one read and are handled in one turn.
    a.ws.send(JSON.stringify({ type: 'typing' }));
    a.ws.send(JSON.stringify({ type: 'typing' }));
    a.ws.send(JSON.stringify({ type: 'typing' }));
    await b.next('typing');
    await b.next('typing');
    await b.next('typing');
    assert.ok(b.frames.length < 3, `3 events came in ${b.frames.length} frames`);
    assert.ok(b.frames.some((f) => f.split('\n').length > 1));
    await Promise.all([a.close(), b.close()]);
  });

  it('with ?since= delivers exactly the messages missed, in order, instead of history', async () => {
    const roomId = await createRoom(url(), alice.token);
    const { socket: a } = await join(ws(), roomId, { token: alice.token });
    const { socket: b } = await join(ws(), roomId, { token: bob.token });
    const seen = await a.say('before the drop');
    await b.next('message', (e) => e.seq === seen.seq);
    await b.close();
    const missed = [];
    for (let i = 0; i < 3; i += 1) missed.push(await a.say(`missed ${i}`));
    const resumed = await connect(ws(), `/ws/joinRoom/${roomId}?since=${seen.seq}`, { token: bob.token });
    const got = [];
    for (let i = 0; i < 3; i += 1) got.push(await resumed.next('message'));
    assert.deepEqual(got, missed);
    const live = await a.say('live again');
    assert.equal((await resumed.next('message')).seq, live.seq);
    assert.deepEqual(resumed.take('history'), []);
    assert.deepEqual(resumed.take('message'), []);
    await Promise.all([a.close(), resumed.close()]);
  });

  it('answers bad JSON, unknown types and invalid fields with an error event and stays usable', async () => {
    const roomId = await createRoom(url(), alice.token);
    const { socket } = await join(ws(), roomId, { token: alice.token });
    socket.send('{not json');
    assert.equal((await socket.next('error')).code, 'BAD_FRAME');
    socket.send({ type: 'dance' });
    assert.equal((await socket.next('error')).code, 'BAD_FRAME');
    socket.send({ type: 'message', text: '' });
    assert.equal((await socket.next('error')).code, 'BAD_FRAME');
    socket.send({ type: 'message', text: 'x'.repeat(2001), clientMsgId: 'long' });
    const tooLong = await socket.next('error');
    assert.equal(tooLong.code, 'BAD_FRAME');
    assert.equal(tooLong.clientMsgId, 'long');
    socket.send({ type: 'message', text: 'hi', clientMsgId: 'c'.repeat(65) });
    assert.equal((await socket.next('error')).code, 'BAD_FRAME');
    socket.send([1, 2]);
    assert.equal((await socket.next('error')).code, 'BAD_FRAME');
    const ok = await socket.say('x'.repeat(2000));
    assert.equal(ok.text.length, 2000);
    await socket.close();
  });

  it('closes with 1009 on a frame over 64 KiB', async () => {
    const roomId = await createRoom(url(), alice.token);
    const { socket } = await join(ws(), roomId, { token: alice.token });
    socket.ws.on('error', () => undefined);
    socket.send(JSON.stringify({ type: 'message', text: 'x'.repeat(64 * 1024) }));
    assert.equal((await socket.closed).code, CloseCode.MESSAGE_TOO_BIG);
  });

  it('closes with 1003 on a binary frame', async () => {
    const roomId = await createRoom(url(), alice.token);
    const { socket } = await join(ws(), roomId, { token: alice.token });
    socket.ws.send(Buffer.from(JSON.stringify({ type: 'typing' })));
    assert.equal((await socket.closed).code, CloseCode.UNSUPPORTED_DATA);
  });

  it('reaches clients of another instance through the broker', async () => {
    const broker = new MemoryBroker();
    const first = await startWsService({}, { broker });
    const second = await startWsService({}, { broker });
    try {
      const roomId = await createRoom(first.url, alice.token);
      const { socket: a } = await join(first.wsUrl, roomId, { token: alice.token });
      const { socket: b } = await join(second.wsUrl, roomId, { token: bob.token });
      const ack = await a.say('across instances');
      assert.deepEqual(await b.next('message'), ack);
      // Each event arrives once: the publisher ignores its own echo.
      await a.say('second');
      assert.deepEqual(a.take('message'), []);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
