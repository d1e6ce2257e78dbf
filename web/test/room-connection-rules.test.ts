/**
 * The protocol module's own rules, on a scripted socket: what it does with a skipped seq, with
 * refusals of a message, and with typing and read markers. The real server's side is in
 * room-connection.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../src/protocol/backoff.js';
import type { ServerEvent } from '../src/protocol/events.js';
import { RoomConnection } from '../src/protocol/room-connection.js';
import { ScriptedSocket } from './scripted-socket.js';

const user = { id: 1, username: 'alice' };
const message = (seq: number, clientMsgId?: string): ServerEvent => ({
  type: 'message',
  seq,
  id: seq,
  roomId: 7,
  user,
  text: `m${seq}`,
  media: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  ...(clientMsgId ? { clientMsgId } : {}),
});

function scripted(options: { maxResends?: number } = {}) {
  const sockets: ScriptedSocket[] = [];
  let socketWaiters: Array<(socket: ScriptedSocket) => void> = [];
  /** Resolves with the next socket the connection opens (a reconnect). */
  const nextSocket = () => new Promise<ScriptedSocket>((resolve) => socketWaiters.push(resolve));
  let ids = 0;
  const connection = new RoomConnection({
    url: 'ws://murmur.test/api/chat/ws/joinRoom/7',
    createSocket: (url) => {
      const socket = new ScriptedSocket(url);
      sockets.push(socket);
      const waiters = socketWaiters;
      socketWaiters = [];
      for (const resolve of waiters) resolve(socket);
      return socket;
    },
    backoff: { baseMs: 1, maxMs: 1, random: () => 0 },
    newClientMsgId: () => `c${++ids}`,
    ...options,
  });
  const shown: number[] = [];
  connection.on('message', (m) => shown.push(m.seq));
  connection.connect();
  const socket = () => sockets.at(-1)!;
  socket().open();
  socket().deliver({ type: 'history', roomId: 7, lastSeq: 2, messages: [] });
  return { connection, sockets, socket, shown, nextSocket };
}

describe('RoomConnection rules', () => {
  it('resumes from the last seq it holds when a seq is skipped, and shows each seq once', () => {
    const { sockets, socket, shown } = scripted();
    socket().deliver(message(3), message(5));
    assert.equal(sockets.length, 2, 'a skipped seq opens a new socket at once');
    assert.equal(sockets[1]!.url, 'ws://murmur.test/api/chat/ws/joinRoom/7?since=3');
    socket().open();
    socket().deliver(message(4), message(5), message(5));
    assert.deepEqual(shown, [3, 4, 5]);
  });

  it('resends a message refused as temporary, and marks it failed when refused for good', async () => {
    const { connection, socket } = scripted({ maxResends: 1 });
    const id = connection.send('hello');
    const resent = socket().nextSend();
    socket().deliver({ type: 'error', code: 'STORAGE_BUSY', message: 'busy', clientMsgId: id });
    await resent;
    assert.equal(socket().sent.filter((f) => (f as { clientMsgId?: string }).clientMsgId === id).length, 2);
    socket().deliver({ type: 'error', code: 'STORAGE_BUSY', message: 'still busy', clientMsgId: id });
    assert.deepEqual(connection.pending, [{ clientMsgId: id, text: 'hello', state: 'failed', error: { code: 'STORAGE_BUSY', message: 'still busy' } }]);
    connection.retry(id);
    assert.equal(connection.pending[0]?.state, 'pending');
    connection.discard(id);
    assert.deepEqual(connection.pending, []);
  });

  it('acknowledges a pending message whose copy it already holds (the answer to a resend)', () => {
    const { connection, socket, shown } = scripted();
    const id = connection.send('again');
    socket().deliver(message(3));
    socket().deliver(message(3, id));
    assert.deepEqual(connection.pending, []);
    assert.deepEqual(shown, [3]);
  });

  it('sends a message of pictures alone, and resends it after a reconnect with the same clientMsgId and pictures', async () => {
    const { connection, socket, nextSocket } = scripted();
    assert.throws(() => connection.send('  '), RangeError, 'no text and no pictures is nothing to send');
    assert.throws(() => connection.send('', [1, 2, 3, 4, 5]), RangeError);
    const id = connection.send('', [11, 12]);
    assert.deepEqual(socket().sent, [{ type: 'message', text: '', clientMsgId: id, mediaIds: [11, 12] }]);
    assert.deepEqual(connection.pending, [{ clientMsgId: id, text: '', mediaIds: [11, 12], state: 'pending' }]);
    const reconnected = nextSocket();
    socket().drop();
    (await reconnected).open();
    assert.deepEqual(socket().sent, [{ type: 'message', text: '', clientMsgId: id, mediaIds: [11, 12] }]);
    connection.send('words only');
    assert.deepEqual(socket().sent.at(-1), { type: 'message', text: 'words only', clientMsgId: 'c2' }, 'no mediaIds without pictures');
  });

  it('sends typing at most once per interval and read markers only forward, again after a reconnect', async () => {
    const { connection, socket, nextSocket } = scripted();
    connection.typing(1_000);
    connection.typing(2_000);
    connection.typing(4_500);
    connection.markRead(2);
    connection.markRead(1);
    assert.deepEqual(socket().sent, [{ type: 'typing' }, { type: 'typing' }, { type: 'read', seq: 2 }]);
    const reconnected = nextSocket();
    socket().drop();
    connection.markRead(2);
    (await reconnected).open();
    assert.deepEqual(socket().sent, [{ type: 'read', seq: 2 }]);
  });

  it('marks a message a block refuses as failed, and closes the room for good when the block refuses the room itself', () => {
    const { connection, socket, sockets } = scripted();
    const first = connection.send('are you there?');
    socket().deliver({ type: 'error', code: 'BLOCKED', message: 'one of you has blocked the other', clientMsgId: first, roomId: 7 });
    assert.equal(connection.status, 'open', 'one message refused: the room stays');
    assert.deepEqual(
      connection.pending.map((p) => [p.clientMsgId, p.state, p.error?.code]),
      [[first, 'failed', 'BLOCKED']],
    );

    connection.discard(first);
    const second = connection.send('hello?');
    socket().deliver({ type: 'error', code: 'BLOCKED', message: 'one of you has blocked the other', roomId: 7 });
    assert.equal(connection.status, 'blocked');
    assert.deepEqual(
      connection.pending.map((p) => [p.clientMsgId, p.state, p.error?.code]),
      [[second, 'failed', 'BLOCKED']],
      'what waited can never go',
    );
    assert.equal(sockets.length, 1, 'no reconnect');
    assert.equal(connection.edit(1, 'changed'), false, 'nothing more is sent');
  });

  it('stops for good on 4003, on 4004 (the account suspended) and on a client fault', () => {
    for (const [code, status] of [
      [4003, 'removed'],
      [4004, 'suspended'],
      [1002, 'failed'],
    ] as const) {
      const { connection, socket, sockets } = scripted();
      socket().drop(code);
      assert.equal(connection.status, status);
      assert.equal(sockets.length, 1);
    }
  });
});

describe('backoffDelay', () => {
  it('doubles its ceiling up to the maximum and never waits zero', () => {
    const options = { baseMs: 500, maxMs: 15_000, random: () => 1 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 30].map((attempt) => backoffDelay(attempt, options)),
      [500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000],
    );
    assert.equal(backoffDelay(3, { ...options, random: () => 0 }), 125);
  });
});
