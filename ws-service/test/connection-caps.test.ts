import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { within } from '@murmur/shared/testing';
import { connect, createRoom, join, refusal, startStack, type ConnectOptions, type Stack, type TestSocket } from './helpers.js';

describe('WebSocket connection caps', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;
  let roomId: number;
  before(async () => {
    // One trusted proxy: the client address is the last X-Forwarded-For entry, so one test host can act as several.
    stack = await startStack({ WS_MAX_CONNECTIONS_PER_USER: '3', WS_MAX_CONNECTIONS_PER_ADDRESS: '5', TRUST_PROXY_HOPS: '1' });
    alice = await registerUser(stack.auth.url, 'alice');
    bob = await registerUser(stack.auth.url, 'bob');
    carol = await registerUser(stack.auth.url, 'carol');
    roomId = await createRoom(stack.ws.url, alice.token);
  });
  after(() => stack.close());

  const from = (address: string, user: RegisteredUser): ConnectOptions => ({ token: user.token, headers: { 'x-forwarded-for': address } });
  const open = (options: ConnectOptions) => join(stack.ws.wsUrl, roomId, options).then(({ socket }) => socket);
  const closeAll = (sockets: TestSocket[]) => Promise.all(sockets.map((s) => s.close()));

  /** Joins, retrying while the server still counts a socket the client has just seen close (as a client honouring Retry-After would). */
  async function openOnceFreed(options: ConnectOptions): Promise<TestSocket> {
    return within(
      (async () => {
        for (;;) {
          const res = await refusal(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, options).catch(() => undefined);
          if (res === undefined) return open(options);
          assert.equal(res.status, 429);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })(),
      2_000,
      'the freed slot',
    );
  }

  it('refuses a user past WS_MAX_CONNECTIONS_PER_USER with 429 and Retry-After; other users still connect', async () => {
    const mine = await Promise.all([1, 2, 3].map((i) => open(from(`198.51.100.${i}`, alice))));
    const refused = await refusal(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, from('198.51.100.9', alice));
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'TOO_MANY_CONNECTIONS');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    const bobs = await open(from('198.51.100.1', bob));

    await mine[0]!.close();
    const again = await openOnceFreed(from('198.51.100.9', alice));
    await closeAll([...mine.slice(1), bobs, again]);
  });

  it('refuses an address past WS_MAX_CONNECTIONS_PER_ADDRESS, whoever signs in from it; other addresses still connect', async () => {
    const address = '203.0.113.7';
    const held = await Promise.all([alice, alice, bob, bob, carol].map((user) => open(from(address, user))));
    const refused = await refusal(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, from(address, carol));
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'TOO_MANY_CONNECTIONS');
    const elsewhere = await open(from('203.0.113.8', carol));
    await closeAll([...held, elsewhere]);
  });

  it('gives the slots of refused upgrades back at once', async () => {
    const address = '192.0.2.44';
    for (let i = 0; i < 8; i += 1) {
      const res = await refusal(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, { token: `${alice.token}x`, headers: { 'x-forwarded-for': address } });
      assert.equal(res.status, 401);
    }
    const unknownRoom = await refusal(stack.ws.wsUrl, '/ws/joinRoom/2000000000', from(address, bob));
    assert.equal(unknownRoom.status, 404);
    const sockets = await Promise.all([alice, bob, bob, carol, carol].map((user) => connect(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, from(address, user))));
    await closeAll(sockets);
  });
});
