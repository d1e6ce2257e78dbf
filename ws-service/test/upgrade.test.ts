import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { connect, createRoom, join, refusal, startStack, type Stack } from './helpers.js';

describe('WebSocket upgrade', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  let roomId: number;
  before(async () => {
    stack = await startStack({ ALLOWED_ORIGINS: 'https://murmur.example' });
    alice = await registerUser(stack.auth.url, 'alice');
    roomId = await createRoom(stack.ws.url, alice.token);
  });
  after(() => stack.close());

  const ws = () => stack.ws.wsUrl;

  it('refuses a missing token with 401 before the handshake', async () => {
    const res = await refusal(ws(), `/ws/joinRoom/${roomId}`);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'AUTH_REQUIRED');
  });

  it('refuses an invalid token with 401', async () => {
    const res = await refusal(ws(), `/ws/joinRoom/${roomId}`, { token: `${alice.token}x` });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'TOKEN_INVALID');
  });

  it('refuses an Origin outside ALLOWED_ORIGINS with 403, even with a valid cookie', async () => {
    const res = await refusal(ws(), `/ws/joinRoom/${roomId}`, { cookie: alice.cookie, origin: 'https://evil.example' });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'ORIGIN_NOT_ALLOWED');
  });

  it('accepts the cookie from an allowed origin', async () => {
    const { socket, history } = await join(ws(), roomId, { cookie: alice.cookie, origin: 'https://murmur.example' });
    assert.deepEqual(history.messages, []);
    await socket.close();
  });

  it('accepts a bearer token without Origin (a non-browser client)', async () => {
    const socket = await connect(ws(), `/ws/joinRoom/${roomId}`, { token: alice.token });
    await socket.next('history');
    await socket.close();
  });

  it('refuses an unknown room with 404', async () => {
    const res = await refusal(ws(), '/ws/joinRoom/2000000000', { token: alice.token });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'ROOM_NOT_FOUND');
  });

  it('refuses another path with 404', async () => {
    for (const path of ['/ws/elsewhere', `/ws/joinRoom/${roomId}/more`, '/']) {
      const res = await refusal(ws(), path, { token: alice.token });
      assert.equal(res.status, 404, path);
    }
  });

  it('refuses a non-integer room id or cursor with 400', async () => {
    const bad = await refusal(ws(), '/ws/joinRoom/abc', { token: alice.token });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'roomId');
    const badSince = await refusal(ws(), `/ws/joinRoom/${roomId}?since=x`, { token: alice.token });
    assert.equal(badSince.status, 400);
    assert.equal(badSince.body.error.field, 'since');
  });

  it('records the membership on join', async () => {
    const bob = await registerUser(stack.auth.url, 'bob');
    const { socket } = await join(ws(), roomId, { token: bob.token });
    const { rows } = await stack.ws.deps.database.pool.query('SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, bob.id]);
    assert.equal(rows.length, 1);
    await socket.close();
    const again = await join(ws(), roomId, { token: bob.token });
    await again.socket.close();
  });
});

describe('WebSocket upgrade behind HTTPS (COOKIE_SECURE=true)', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  let roomId: number;
  const origin = 'https://murmur.example';
  before(async () => {
    stack = await startStack({ ALLOWED_ORIGINS: origin, COOKIE_SECURE: 'true' });
    alice = await registerUser(stack.auth.url, 'alice');
    roomId = await createRoom(stack.ws.url, alice.token);
  });
  after(() => stack.close());

  it('accepts the token from the __Host- cookie', async () => {
    const { socket } = await join(stack.ws.wsUrl, roomId, { cookie: `__Host-murmur_token=${alice.token}`, origin });
    await socket.close();
  });

  it('ignores a plain murmur_token cookie, which a sibling subdomain could have planted', async () => {
    const res = await refusal(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, { cookie: `murmur_token=${alice.token}`, origin });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'AUTH_REQUIRED');
  });
});
