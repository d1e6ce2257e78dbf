import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { once } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { AuthUser } from '@murmur/shared/auth';
import { createLogger } from '@murmur/shared/logger';
import { RawConnection, serveOn, within } from '@murmur/shared/testing';
import { ConnectionCaps } from '../src/ws/connection-caps.js';
import { createUpgradeHandler } from '../src/ws/upgrade.js';
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

describe('connection caps while the upgrade is still being checked', () => {
  it('gives the slot back when the connection is cut while its token is being verified', async () => {
    const alice: AuthUser = { id: 1, username: 'alice', sessionId: 's', expiresAtMs: Date.now() + 60_000 };
    let verifying: () => void = () => undefined;
    let gate = new Promise<void>((resolve) => (verifying = resolve));
    const verifyStarted: Array<() => void> = [];
    const opened: WebSocket[] = [];
    const wss = new WebSocketServer({ noServer: true });
    const server = http.createServer();
    server.on(
      'upgrade',
      createUpgradeHandler({
        wss,
        allowedOrigins: [],
        cookieSecure: false,
        caps: new ConnectionCaps({ perUser: 1, perAddress: 10 }),
        trustProxyHops: 0,
        verifyToken: async () => {
          for (const started of verifyStarted.splice(0)) started();
          await gate;
          return alice;
        },
        admit: () => Promise.resolve(),
        onConnection: (ws) => opened.push(ws),
        isStopping: () => false,
        logger: createLogger('test', 'silent'),
      }),
    );
    const serverSockets: Socket[] = [];
    server.on('connection', (socket: Socket) => serverSockets.push(socket));
    const served = await serveOn(server);
    try {
      // The first client asks for an upgrade.
      const started = new Promise<void>((resolve) => verifyStarted.push(resolve));
      const first = await RawConnection.open(served.url);
      first.write(`GET /ws/joinRoom/1 HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer x\r\n\r\n`);
      await within(started, 2_000, 'the token check');
      // The connection is cut on the server's side (as a reset or a proxy timeout would) before the token check ends.
      const cut = once(serverSockets[0]!, 'close');
      serverSockets[0]!.destroy();
      await within(cut, 2_000, 'the cut');
      verifying();

      // Alice's only slot must be free again.
      gate = Promise.resolve();
      const client = new WebSocket(`${served.url.replace('http', 'ws')}/ws/joinRoom/1`, { headers: { authorization: 'Bearer x' } });
      const outcome = await within(
        new Promise<string>((resolve) => {
          client.once('open', () => resolve('open'));
          client.once('unexpected-response', (_req, res) => resolve(`refused with ${res.statusCode}`));
        }),
        2_000,
        'the second upgrade',
      );
      assert.equal(outcome, 'open');
      client.terminate();
    } finally {
      for (const ws of opened) ws.terminate();
      await served.close();
    }
  });
});
