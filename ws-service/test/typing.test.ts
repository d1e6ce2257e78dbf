/**
 * Typing reaches every member of a room, so it is limited per account across its sockets, in a
 * budget of its own (a person typing never uses up what they may send); and it names the typist
 * by the account, never by what the token claims.
 */
import assert from 'node:assert/strict';
import { createSign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { testKeyPair } from '@murmur/shared/testing';
import { connect, createRoom, FAST_SENDING_ENV, join, startStack, type Stack, type TestSocket } from './helpers.js';

const TYPING_BURST = 5;
const TYPING_PER_SECOND = 1;
const MESSAGE_BURST = 3;

/** `token` with its `name` claim replaced, signed again with the test key (as auth-service signs). */
function withNameClaim(token: string, name: string): string {
  const [header, payload] = token.split('.');
  const claims = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')), name };
  const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(testKeyPair().privateKey, 'base64url');
  return `${signingInput}.${signature}`;
}

describe('per-account typing rate', () => {
  let stack: Stack;

  before(async () => {
    // Each socket may send plenty: only the account's budgets apply.
    stack = await startStack({
      ...FAST_SENDING_ENV,
      WS_USER_TYPING_PER_SECOND: String(TYPING_PER_SECOND),
      WS_USER_TYPING_BURST: String(TYPING_BURST),
      WS_USER_MESSAGES_PER_SECOND: '1',
      WS_USER_MESSAGE_BURST: String(MESSAGE_BURST),
    });
  });

  /** Fresh accounts for each test: an account's buckets live until its last socket here closes. */
  const accounts = (...prefixes: string[]) => Promise.all(prefixes.map((p) => registerUser(stack.auth.url, p)));
  after(() => stack.close());

  it('relays a storm of typing from one account’s sockets only up to its budget, refuses the rest, and leaves its messages and others’ typing alone', async () => {
    const [alice, bob, carol] = (await accounts('alice', 'bob', 'carol')) as [RegisteredUser, RegisteredUser, RegisteredUser];
    const roomId = await createRoom(stack.ws.url, alice.token);
    const storm = await Promise.all([1, 2, 3].map(async () => (await join(stack.ws.wsUrl, roomId, { token: alice.token })).socket));
    const { socket: bobs } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    const { socket: carols } = await join(stack.ws.wsUrl, roomId, { token: carol.token });
    const framesPerSocket = 30;

    const started = performance.now();
    for (const socket of storm) for (let i = 0; i < framesPerSocket; i += 1) socket.send({ type: 'typing' });
    // A socket's frames are handled in order: its message's acknowledgement comes after the
    // answers to all its typing, and reaches the others after every typing it let through. The
    // account may send MESSAGE_BURST messages at once: had typing used that budget, these fail.
    const said = [];
    for (const [i, socket] of storm.entries()) said.push(await socket.say(`after the storm ${i}`));
    const elapsedSeconds = (performance.now() - started) / 1_000;
    for (const message of said) {
      await bobs.next('message', (e) => e.seq === message.seq);
      await carols.next('message', (e) => e.seq === message.seq);
    }

    const relayed = bobs.take('typing');
    const refused = storm.flatMap((socket) => socket.take('error'));
    const sent = storm.length * framesPerSocket;
    assert.ok(refused.every((e) => e.code === 'RATE_LIMITED' && /typing/.test(e.message)), JSON.stringify(refused[0]));
    assert.equal(relayed.length + refused.length, sent, 'each typing frame is either relayed or refused');
    assert.ok(relayed.length >= TYPING_BURST, `the burst passes (${relayed.length} relayed)`);
    const allowed = TYPING_BURST + Math.ceil(elapsedSeconds * TYPING_PER_SECOND);
    assert.ok(relayed.length <= allowed, `${relayed.length} of ${sent} relayed; at most ${allowed} allowed in ${elapsedSeconds.toFixed(2)} s`);
    assert.ok(relayed.every((e) => e.user.id === alice.id));
    assert.deepEqual(carols.take('typing').length, relayed.length, 'carol heard as much as bob');

    // Another account types as a person does (a reconnect, several rooms: its burst at once).
    for (let i = 0; i < TYPING_BURST; i += 1) carols.send({ type: 'typing' });
    for (let i = 0; i < TYPING_BURST; i += 1) assert.equal((await bobs.next('typing')).user.id, carol.id);
    assert.deepEqual(carols.take('error'), []);
    await Promise.all([...storm, bobs, carols].map((socket) => socket.close()));
  });

  it('counts a stream’s typing in the same budget as the account’s room sockets', async () => {
    const [alice, bob] = (await accounts('alice', 'bob')) as [RegisteredUser, RegisteredUser];
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket: room } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const stream = await connect(stack.ws.wsUrl, '/ws/stream', { token: alice.token });
    await stream.next('ready');
    stream.send({ type: 'subscribe', roomId });
    await stream.next('history');
    const { socket: bobs } = await join(stack.ws.wsUrl, roomId, { token: bob.token });

    for (let i = 0; i < TYPING_BURST; i += 1) room.send({ type: 'typing' });
    for (let i = 0; i < TYPING_BURST; i += 1) await bobs.next('typing');
    // The bucket refills by one a second: of a few more, at least one is refused.
    for (let i = 0; i < 3; i += 1) stream.send({ type: 'typing', roomId });
    const refusal = await stream.next('error');
    assert.equal(refusal.code, 'RATE_LIMITED');
    assert.equal(refusal.roomId, roomId);
    await Promise.all([room, stream, bobs].map((socket: TestSocket) => socket.close()));
  });
});

describe('the name a room shows', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack(FAST_SENDING_ENV);
  });
  after(() => stack.close());

  it('is the account’s username, whatever the token’s name claim says', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((p) => registerUser(stack.auth.url, p)));
    const roomId = await createRoom(stack.ws.url, alice!.token);
    const { socket: bobs } = await join(stack.ws.wsUrl, roomId, { token: bob!.token });
    const { socket: impostor } = await join(stack.ws.wsUrl, roomId, { token: withNameClaim(alice!.token, 'mallory') });
    const expected = { id: alice!.id, username: alice!.username };
    assert.deepEqual((await bobs.next('participant_joined')).user, expected);
    impostor.send({ type: 'typing' });
    assert.deepEqual((await bobs.next('typing')).user, expected);
    const said = await impostor.say('hello');
    assert.deepEqual((await bobs.next('message', (e) => e.seq === said.seq)).user, expected);
    await Promise.all([bobs.close(), impostor.close()]);
  });
});
