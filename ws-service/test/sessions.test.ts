import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { registerUser, startAuthService, type AuthUnderTest, type RegisteredUser } from '@murmur/auth-service/testing';
import { notifyAuthEvent } from '@murmur/shared/auth';
import { api, testEnv } from '@murmur/shared/testing';
import { CloseCode } from '../src/ws/close-codes.js';
import { createRoom, join, refusal, startStack, startWsService, type Stack } from './helpers.js';

describe('ended sessions', () => {
  let stack: Stack;
  before(async () => {
    // A fast heartbeat.
    stack = await startStack({ WS_PING_INTERVAL_MS: '50' });
  });
  after(() => stack.close());

  it("logout closes that session's sockets within 1 s with 4001, and leaves the user's other sessions", async () => {
    const alice = await registerUser(stack.auth.url, 'alice');
    const other = await api(stack.auth.url, 'POST', '/login', { body: { email: alice.email, password: alice.password } });
    const roomId = await createRoom(stack.ws.url, alice.token);
    const first = (await join(stack.ws.wsUrl, roomId, { token: alice.token })).socket;
    const second = (await join(stack.ws.wsUrl, roomId, { token: alice.token })).socket;
    const otherSession = (await join(stack.ws.wsUrl, roomId, { token: other.body.token })).socket;

    const started = performance.now();
    assert.equal((await api(stack.auth.url, 'POST', '/logout', { token: alice.token })).status, 202);
    const [a, b] = await Promise.all([first.closed, second.closed]);
    assert.ok(performance.now() - started < 1_000, 'closed within a second');
    assert.equal(a.code, CloseCode.SESSION_ENDED);
    assert.equal(b.code, CloseCode.SESSION_ENDED);

    assert.ok((await otherSession.say('still here')).id > 0);
    const res = await refusal(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, { token: alice.token });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'SESSION_REVOKED');
    await otherSession.close();
  });

  it("closes all of a deleted user's sockets, and no one else's", async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((p) => registerUser(stack.auth.url, p)));
    const roomId = await createRoom(stack.ws.url, bob!.token);
    const mine = (await join(stack.ws.wsUrl, roomId, { token: alice!.token })).socket;
    const bobs = (await join(stack.ws.wsUrl, roomId, { token: bob!.token })).socket;
    // What user-service does, in the transaction that deletes the account.
    await stack.ws.deps.database.db.execute(notifyAuthEvent({ type: 'user_deleted', userId: alice!.id }));
    assert.equal((await mine.closed).code, CloseCode.SESSION_ENDED);
    assert.equal((await bobs.next('participant_left')).user.id, alice!.id);
    await bobs.close();
  });

  it('rechecks every connected session when the auth events connection comes back', async () => {
    const alice = await registerUser(stack.auth.url, 'alice');
    const other = await api(stack.auth.url, 'POST', '/login', { body: { email: alice.email, password: alice.password } });
    const roomId = await createRoom(stack.ws.url, alice.token);
    const revoked = (await join(stack.ws.wsUrl, roomId, { token: alice.token })).socket;
    const kept = (await join(stack.ws.wsUrl, roomId, { token: other.body.token })).socket;
    // A logout whose NOTIFY was lost while the event connection was down.
    const { sub, sid } = JSON.parse(Buffer.from(alice.token.split('.')[1]!, 'base64url').toString());
    assert.equal(Number(sub), alice.id);
    await stack.ws.deps.database.pool.query('UPDATE sessions SET revoked_at = now() WHERE id = $1', [sid]);
    stack.ws.deps.verification.authEvents.emit('reset');
    assert.equal((await revoked.closed).code, CloseCode.SESSION_ENDED);
    assert.ok((await kept.say('unaffected')).id > 0);
    await kept.close();
  });

  it('reads each socket\'s expiry from its token', async () => {
    const alice = await registerUser(stack.auth.url, 'alice');
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const [client] = [...stack.ws.service.connections].filter((c) => c.auth.id === alice.id);
    assert.ok(client);
    assert.ok(Math.abs(client.expiresAtMs - Date.now() - 24 * 3600 * 1000) < 60_000, 'expiry read from the token');
    await socket.close();
  });
});

describe('token expiry', () => {
  let stack: Stack;
  before(async () => {
    // The default ping interval (30 s): an expiry must not wait for a ping.
    stack = await startStack();
  });
  after(() => stack.close());

  /** Joins as a new user and returns the socket with its server-side client. */
  async function joined() {
    const alice = await registerUser(stack.auth.url, 'alice');
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const client = [...stack.ws.service.connections].find((c) => c.auth.id === alice.id)!;
    return { alice, roomId, socket, client };
  }

  it('closes a socket with 4001 at its token\'s expiry, long before the next ping', async () => {
    const { socket, client } = await joined();
    // Tokens live at least a minute; pretend this one ends in a moment.
    (client as any).expiresAtMs = Date.now() + 200;
    const closed = await socket.closed;
    assert.equal(closed.code, CloseCode.SESSION_ENDED);
    assert.equal(closed.reason, 'token expired');
  });

  it('stores nothing sent on an expired token', async () => {
    const { alice, roomId, socket, client } = await joined();
    (client as any).expiresAtMs = Date.now() - 1;
    socket.send({ type: 'message', text: 'too late', clientMsgId: 'late' });
    assert.equal((await socket.closed).code, CloseCode.SESSION_ENDED);
    const fresh = await api(stack.auth.url, 'POST', '/login', { body: { email: alice.email, password: alice.password } });
    const page = await api(stack.ws.url, 'GET', `/ws/rooms/${roomId}/messages`, { token: fresh.body.token });
    assert.deepEqual(page.body.items, []);
  });
});

describe('shutdown', () => {
  let auth: AuthUnderTest;
  let alice: RegisteredUser;
  before(async () => {
    auth = await startAuthService();
    alice = await registerUser(auth.url, 'alice');
  });
  after(() => auth.close());

  it('stores pending messages, says server_shutting_down, closes with 1001 and stops accepting connections', async () => {
    const ws = await startWsService();
    try {
      const roomId = await createRoom(ws.url, alice.token);
      const { socket } = await join(ws.wsUrl, roomId, { token: alice.token });
      const bob = await registerUser(auth.url, 'bob');
      const { socket: observer } = await join(ws.wsUrl, roomId, { token: bob.token });
      socket.send({ type: 'message', text: 'last words', clientMsgId: 'last' });
      socket.send({ type: 'typing' });
      // Frames are handled in order: once the typing is relayed, the message's store has begun.
      await observer.next('typing');
      const stopped = ws.service.shutdown();
      const [closed, observerClosed] = await Promise.all([socket.closed, observer.closed]);
      await stopped;
      assert.equal(closed.code, CloseCode.GOING_AWAY);
      assert.equal(observerClosed.code, CloseCode.GOING_AWAY);
      assert.equal(observer.take('server_shutting_down').length, 1);
      assert.equal(socket.take('server_shutting_down').length, 1);
      const [ack] = socket.take('message');
      assert.equal(ack?.clientMsgId, 'last');
      const { rows } = await ws.deps.database.pool.query('SELECT text FROM messages WHERE id = $1', [ack.id]);
      assert.equal(rows[0].text, 'last words');
      await assert.rejects(api(ws.url, 'GET', '/'), 'the server no longer accepts connections');
    } finally {
      await ws.deps.close();
    }
  });
});

describe('SIGTERM', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService();
  });
  after(() => auth.close());

  it('makes main.js tell its clients, close them with 1001 and exit 0 within 10 s', async () => {
    const alice = await registerUser(auth.url, 'alice');
    const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/main.js');
    const child = spawn(process.execPath, [main], { env: testEnv({ PORT: '0', LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      let port: number | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        const entry = JSON.parse(line);
        if (entry.msg === 'ws-service listening') {
          port = entry.port;
          break;
        }
      }
      assert.ok(port, 'the service logged its port');
      const url = `http://127.0.0.1:${port}`;
      const roomId = await createRoom(url, alice.token);
      const { socket } = await join(`ws://127.0.0.1:${port}`, roomId, { token: alice.token });
      const started = performance.now();
      child.kill('SIGTERM');
      await socket.next('server_shutting_down');
      assert.equal((await socket.closed).code, CloseCode.GOING_AWAY);
      const [code] = await exited;
      assert.equal(code, 0);
      assert.ok(performance.now() - started < 10_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
