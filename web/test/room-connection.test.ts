/**
 * The protocol module against the real ws-service (and the auth-service that signs its
 * tokens): acknowledgements, resume after a drop, de-duplication, the end of a session and
 * reconnecting with backoff.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type WebSocket from 'ws';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { startFaultProxy } from '@murmur/shared/testing';
import { FAST_SENDING_ENV, startStack, type Stack } from '@murmur/ws-service/testing';
import { createApiClient, type ApiClient } from '../src/api/client.js';
import type { ChatMessage } from '../src/protocol/events.js';
import { RoomConnection, type RoomConnectionOptions, type SocketLike } from '../src/protocol/room-connection.js';
import { directBases, nextOf, socketFactory, statusOf } from './helpers.js';

let stack: Stack;
let alice: RegisteredUser;
let bob: RegisteredUser;
const open: RoomConnection[] = [];

before(async () => {
  stack = await startStack(FAST_SENDING_ENV);
  [alice, bob] = await Promise.all([registerUser(stack.auth.url, 'alice'), registerUser(stack.auth.url, 'bob')]);
});

after(async () => {
  for (const connection of open) connection.close();
  await stack.close();
});

const apiFor = (user: RegisteredUser): ApiClient =>
  createApiClient({ bases: directBases(stack.auth.url, stack.ws.url), headers: { authorization: `Bearer ${user.token}` } });

async function publicRoom(name = 'lobby'): Promise<number> {
  return (await apiFor(alice).createRoom(name, 'public')).id;
}

/** A connection for `user` to `roomId`, joined (history received), with the messages it has shown. */
async function joined(user: RegisteredUser, roomId: number, options: Partial<RoomConnectionOptions> = {}, wrap?: (ws: WebSocket) => SocketLike) {
  const factory = socketFactory(user.token, wrap);
  const connection = new RoomConnection({
    url: apiFor(user).joinUrl(roomId, stack.ws.url),
    createSocket: factory.createSocket,
    ...options,
  });
  open.push(connection);
  const shown: ChatMessage[] = [];
  connection.on('history', (history) => shown.push(...history.messages));
  connection.on('message', (message) => shown.push(message));
  const history = nextOf(connection, 'history');
  connection.connect();
  await history;
  return { connection, shown, opened: factory.opened };
}

describe('RoomConnection against ws-service', () => {
  it('keeps a sent message pending until its acknowledgement, which carries the same clientMsgId', async () => {
    const roomId = await publicRoom();
    const { connection, shown } = await joined(alice, roomId);
    const acknowledged = nextOf(connection, 'acknowledged');
    const clientMsgId = connection.send('hello');
    assert.deepEqual(connection.pending, [{ clientMsgId, text: 'hello', state: 'pending' }]);
    const ack = await acknowledged;
    assert.equal(ack.clientMsgId, clientMsgId);
    assert.equal(ack.message.clientMsgId, clientMsgId);
    assert.equal(ack.message.text, 'hello');
    assert.deepEqual(connection.pending, []);
    assert.deepEqual(
      shown.map((m) => m.text),
      ['hello'],
    );
    assert.equal(connection.lastSeq, ack.message.seq);
  });

  it('sends a message written while disconnected once it is back, and the server stores it once', async () => {
    const roomId = await publicRoom();
    const { connection, shown, opened } = await joined(alice, roomId, { backoff: { baseMs: 10_000, maxMs: 10_000 } });
    const dropped = statusOf(connection, 'reconnecting');
    opened.sockets[0]!.terminate();
    await dropped;
    const clientMsgId = connection.send('written offline');
    assert.equal(connection.pending[0]?.state, 'pending');
    const acknowledged = nextOf(connection, 'acknowledged', (a) => a.clientMsgId === clientMsgId);
    connection.reconnectNow();
    await acknowledged;
    const page = await apiFor(alice).roomMessages(roomId);
    assert.deepEqual(
      page.items.map((m) => m.text),
      ['written offline'],
    );
    assert.deepEqual(
      shown.map((m) => m.text),
      ['written offline'],
    );
  });

  it('resumes after a drop with ?since= and shows every message missed meanwhile exactly once', async () => {
    const roomId = await publicRoom();
    const reader = await joined(alice, roomId, { backoff: { baseMs: 10_000, maxMs: 10_000 } });
    const writer = await joined(bob, roomId);
    const first = nextOf(reader.connection, 'message');
    writer.connection.send('before the drop');
    await first;

    const dropped = statusOf(reader.connection, 'reconnecting');
    reader.opened.sockets[0]!.terminate();
    await dropped;
    for (const text of ['missed 1', 'missed 2', 'missed 3']) {
      const ack = nextOf(writer.connection, 'acknowledged');
      writer.connection.send(text);
      await ack;
    }
    const caughtUp = nextOf(reader.connection, 'message', (m) => m.text === 'missed 3');
    const live = nextOf(reader.connection, 'message', (m) => m.text === 'after the resume', 5_000);
    reader.connection.reconnectNow();
    await caughtUp;
    writer.connection.send('after the resume');
    await live;

    assert.match(reader.opened.urls[1]!, /\?since=1$/);
    assert.deepEqual(
      reader.shown.map((m) => m.text),
      ['before the drop', 'missed 1', 'missed 2', 'missed 3', 'after the resume'],
    );
    assert.deepEqual(
      reader.shown.map((m) => m.seq),
      [1, 2, 3, 4, 5],
    );
  });

  it('shows an event once when the same seq arrives twice', async () => {
    const roomId = await publicRoom();
    // Every frame the server sends reaches the module twice.
    const doubling = (ws: WebSocket): SocketLike => ({
      get readyState() {
        return ws.readyState;
      },
      send: (data) => ws.send(data),
      close: (code, reason) => ws.close(code, reason),
      addEventListener(type, listener: (event: unknown) => void) {
        ws.addEventListener(type, (event: unknown) => {
          listener(event);
          if (type === 'message') listener(event);
        });
      },
    });
    const reader = await joined(alice, roomId, {}, doubling);
    const writer = await joined(bob, roomId);
    let edits = 0;
    reader.connection.on('edited', () => (edits += 1));
    const ack = nextOf(writer.connection, 'acknowledged');
    writer.connection.send('once');
    const { message } = await ack;
    const edited = nextOf(reader.connection, 'edited');
    writer.connection.edit(message.seq, 'once, edited');
    await edited;
    const second = nextOf(reader.connection, 'message', (m) => m.text === 'twice?');
    writer.connection.send('twice?');
    await second;
    assert.deepEqual(
      reader.shown.map((m) => m.text),
      ['once', 'twice?'],
    );
    assert.equal(edits, 1);
    assert.equal(reader.connection.lastSeq, 3);
  });

  it('reports the end of the session (close 4001) and does not reconnect', async () => {
    const carol = await registerUser(stack.auth.url, 'carol');
    const roomId = await publicRoom();
    const { connection, opened } = await joined(carol, roomId, { backoff: { baseMs: 20, maxMs: 20 } });
    const ended = statusOf(connection, 'session-ended');
    await apiFor(carol).logout();
    await ended;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(opened.urls.length, 1);
    assert.equal(connection.status, 'session-ended');
  });

  it('ends the session when a reconnect is refused and the session check finds it over', async () => {
    const dave = await registerUser(stack.auth.url, 'dave');
    const roomId = await publicRoom();
    const daveApi = apiFor(dave);
    // What the app does: a browser learns nothing of a refused upgrade, so it asks the API.
    const checkSession = () => daveApi.rooms({ limit: 1 }).then(
      () => true,
      (err: { status?: number }) => err.status !== 401,
    );
    const { connection, opened } = await joined(dave, roomId, { backoff: { baseMs: 10_000, maxMs: 10_000 }, checkSession });
    const dropped = statusOf(connection, 'reconnecting');
    opened.sockets[0]!.terminate();
    await dropped;
    await daveApi.logout(); // no socket is open to be closed with 4001: the next upgrade gets a 401
    const ended = statusOf(connection, 'session-ended');
    connection.reconnectNow();
    await ended;
    assert.equal(opened.urls.length, 2);
  });

  it('reconnects with growing delays while the server is unreachable, then resumes', async () => {
    const proxy = await startFaultProxy(stack.ws.url);
    try {
      const roomId = await publicRoom();
      const factory = socketFactory(alice.token);
      let checks = 0;
      const connection = new RoomConnection({
        url: createApiClient({ bases: directBases(stack.auth.url, proxy.url.replace(/\/$/, '')) }).joinUrl(roomId, proxy.url),
        createSocket: factory.createSocket,
        backoff: { baseMs: 40, maxMs: 320, random: () => 1 },
        checkSession: () => {
          checks += 1;
          return Promise.resolve(true);
        },
      });
      open.push(connection);
      const history = nextOf(connection, 'history');
      connection.connect();
      await history;
      const writer = await joined(bob, roomId);

      proxy.cut();
      await statusOf(connection, 'reconnecting');
      const ack = nextOf(writer.connection, 'acknowledged');
      writer.connection.send('while unreachable');
      await ack;
      // Let it fail a few times: 40, 80, 160, 320 ms.
      while (factory.opened.urls.length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
      const missed = nextOf(connection, 'message', (m) => m.text === 'while unreachable', 5_000);
      proxy.restore();
      await missed;
      await statusOf(connection, 'open');

      const gaps = factory.opened.times.slice(1).map((t, i) => t - factory.opened.times[i]!);
      assert.ok(gaps[1]! >= 75 && gaps[2]! >= 150 && gaps[3]! >= 300, `delays grow: ${gaps.join(', ')} ms`);
      assert.ok(gaps.slice(1).every((gap) => gap < 320 + 250), `delays stay bounded: ${gaps.join(', ')} ms`);
      assert.ok(checks >= 3, 'each refused attempt asks whether the session still holds');
      assert.ok(factory.opened.urls.slice(1).every((url) => url.endsWith('?since=0')));
    } finally {
      await proxy.close();
    }
  });
});
