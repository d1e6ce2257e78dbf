/**
 * Direct rooms across a block, whichever of the two blocked the other: opening one is refused
 * (403 BLOCKED), existing or not; an existing one refuses joins, subscriptions (the stream stays
 * open) and writes (an `error` event BLOCKED, nothing stored), the database deciding when this
 * instance has not heard of the block yet; an invitation to a private room is refused too. A
 * block racing the blocked account's opening of, or writing in, the room always wins.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api } from '@murmur/shared/testing';
import { blockHeard, connect, createRoom, FAST_SENDING_ENV, join, refusal, setBlock, startStack, type Stack, type TestSocket } from './helpers.js';

describe('direct rooms across a block', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack(FAST_SENDING_ENV);
  });
  after(() => stack.close());

  const db = () => stack.ws.deps.database.db;
  const user = (prefix: string) => registerUser(stack.auth.url, prefix);
  const pair = async () => [await user('blocker'), await user('blocked')] as const;
  const openDirect = (from: RegisteredUser, to: RegisteredUser) => api(stack.ws.url, 'POST', `/ws/direct/${to.id}`, { token: from.token });
  const block = (blocker: RegisteredUser, blocked: RegisteredUser, blocking = true) => blockHeard(stack.ws, blocker.id, blocked.id, blocking);
  const lastSeq = async (roomId: number) => {
    const { rows } = await db().execute<{ last_seq: number }>(sql`SELECT last_seq FROM rooms WHERE id = ${roomId}`);
    return Number(rows[0]!.last_seq);
  };
  const directRoom = async (a: RegisteredUser, b: RegisteredUser) => {
    const res = await openDirect(a, b);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.id as number;
  };
  /** Sends a message and resolves with its answer: the acknowledgement, or the error naming it. */
  const attempt = (socket: TestSocket, text: string, roomId?: number): Promise<any> => {
    const clientMsgId = `c${Math.random().toString(36).slice(2)}`;
    socket.send({ type: 'message', text, clientMsgId, ...(roomId === undefined ? {} : { roomId }) });
    return Promise.race([
      socket.next('message', (e) => e.clientMsgId === clientMsgId),
      socket.next('error', (e) => e.clientMsgId === clientMsgId),
    ]);
  };

  it('refuses to open a direct room across a block with 403 BLOCKED, both ways, whether it exists yet or not', async () => {
    const [alice, bob] = await pair();
    await setBlock(db(), alice.id, bob.id, true);
    for (const [from, to] of [
      [bob, alice],
      [alice, bob],
    ] as const) {
      const res = await openDirect(from, to);
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'BLOCKED');
    }
    const [carol, dave] = await pair();
    await directRoom(carol, dave);
    await setBlock(db(), dave.id, carol.id, true);
    assert.deepEqual([(await openDirect(carol, dave)).status, (await openDirect(dave, carol)).status], [403, 403]);
  });

  it('refuses an invitation to a private room across a block, both ways', async () => {
    const [alice, bob] = await pair();
    await setBlock(db(), alice.id, bob.id, true);
    for (const [owner, invited] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const room = await api(stack.ws.url, 'POST', '/ws/createRoom', { token: owner.token, body: { name: 'private', visibility: 'private' } });
      const res = await api(stack.ws.url, 'PUT', `/ws/rooms/${room.body.id}/members/${invited.id}`, { token: owner.token });
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'BLOCKED');
    }
  });

  it('an existing direct room refuses joins across a block (403) and subscriptions (error BLOCKED naming the room, the stream staying open), both ways', async () => {
    const [alice, bob] = await pair();
    const roomId = await directRoom(bob, alice);
    await setBlock(db(), alice.id, bob.id, true);
    for (const person of [alice, bob]) {
      const refused = await refusal(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, { token: person.token });
      assert.deepEqual([refused.status, refused.body.error.code], [403, 'BLOCKED']);

      const stream = await connect(stack.ws.wsUrl, '/ws/stream', { token: person.token });
      await stream.next('ready');
      stream.send({ type: 'subscribe', roomId });
      const error = await stream.next('error');
      assert.deepEqual([error.code, error.roomId], ['BLOCKED', roomId]);
      const open = await createRoom(stack.ws.url, person.token);
      stream.send({ type: 'subscribe', roomId: open });
      assert.equal((await stream.next('history')).roomId, open);
      await stream.close();
    }
  });

  it('a block made while both are in the room refuses their messages and edits there with BLOCKED, both ways, storing nothing; its end opens the room again', async () => {
    const [alice, bob] = await pair();
    const roomId = await directRoom(alice, bob);
    const { socket: a } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const stream = await connect(stack.ws.wsUrl, '/ws/stream', { token: bob.token });
    await stream.next('ready');
    stream.send({ type: 'subscribe', roomId });
    await stream.next('history');
    const said = await attempt(stream, 'before', roomId);
    await a.next('message', (e) => e.seq === said.seq);

    await block(alice, bob);
    const seq = await lastSeq(roomId);
    const refused = [await attempt(stream, 'after', roomId), await attempt(a, 'reply')];
    assert.deepEqual(refused.map((e) => [e.type, e.code]), [
      ['error', 'BLOCKED'],
      ['error', 'BLOCKED'],
    ]);
    stream.send({ type: 'edit', roomId, seq: said.seq, text: 'changed' });
    assert.deepEqual(await stream.next('error', (e) => e.seq === said.seq), {
      type: 'error',
      code: 'BLOCKED',
      message: `one of you has blocked the other: direct room ${roomId} is closed`,
      roomId,
      seq: said.seq,
    });
    assert.equal(await lastSeq(roomId), seq);

    await block(alice, bob, false);
    assert.equal((await attempt(stream, 'again', roomId)).seq, seq + 1);
    await Promise.all([a.close(), stream.close()]);
  });

  it('the database refuses a message of a direct room whose block this instance has not heard of, alone among the messages stored with it', async () => {
    const [alice, bob] = await pair();
    const roomId = await directRoom(alice, bob);
    const open = await createRoom(stack.ws.url, alice.token);
    const { socket: b } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    const { socket: others } = await join(stack.ws.wsUrl, open, { token: alice.token });
    const seq = await lastSeq(roomId);
    await setBlock(db(), alice.id, bob.id, true, { announce: false });
    const answers = await Promise.all([attempt(b, 'unheard'), ...Array.from({ length: 10 }, (_, i) => attempt(others, `m${i}`))]);
    assert.deepEqual([answers[0].type, answers[0].code], ['error', 'BLOCKED']);
    assert.ok(answers.slice(1).every((answer) => answer.type === 'message'));
    // Refused at once from then on, without asking the database.
    assert.equal((await attempt(b, 'again')).code, 'BLOCKED');
    assert.equal(await lastSeq(roomId), seq);
    await Promise.all([b.close(), others.close()]);
  });

  it('a block racing the blocked account opening the room wins: the opening is refused, or the room is created and then closed', async () => {
    for (let round = 0; round < 5; round += 1) {
      const [alice, bob] = await pair();
      const [opened] = await Promise.all([openDirect(bob, alice), setBlock(db(), alice.id, bob.id, true)]);
      if (opened.status === 403) {
        assert.equal(opened.body.error.code, 'BLOCKED');
        continue;
      }
      assert.equal(opened.status, 200);
      const refused = await refusal(stack.ws.wsUrl, `/ws/joinRoom/${opened.body.id}`, { token: bob.token });
      assert.equal(refused.body.error.code, 'BLOCKED');
    }
  });

  it('a block racing the blocked account writing in the room wins: nothing is stored after it, and nothing after it reaches the blocker', async () => {
    const [alice, bob] = await pair();
    const roomId = await directRoom(alice, bob);
    const { socket: a } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const { socket: b } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    const first = await attempt(b, 'first');
    const sending = Array.from({ length: 40 }, (_, i) => attempt(b, `m${i}`));
    // The block lands while bob's messages are being stored.
    await sending[4];
    const before = await setBlock(db(), alice.id, bob.id, true, { roomId });
    const answers = await Promise.all(sending);
    assert.ok(before !== undefined && before >= first.seq + 5);
    for (const answer of answers) {
      if (answer.type === 'message') assert.ok(answer.seq <= before, `message ${answer.seq} stored after the block (at ${before})`);
      else assert.equal(answer.code, 'BLOCKED');
    }
    assert.equal(await lastSeq(roomId), before);
    const delivered = [first, ...answers].filter((answer) => answer.type === 'message');
    await a.next('message', (e) => e.seq === delivered.at(-1).seq);
    assert.ok(a.take('message').every((message) => message.seq <= before));
    await Promise.all([a.close(), b.close()]);
  });
});
