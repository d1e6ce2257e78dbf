/**
 * The live connection's own rules, on a scripted socket: it resumes notifications after the
 * newest it has, carries each open room as a subscription with its frames and events, and takes
 * a room through the stream's drops as RoomConnection expects of a socket of its own. The real
 * server's side is in the browser tests, where every room runs over the stream.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerEvent } from '../src/protocol/events.js';
import { RoomConnection } from '../src/protocol/room-connection.js';
import { StreamConnection } from '../src/protocol/stream-connection.js';
import { ScriptedSocket } from './scripted-socket.js';

const user = { id: 1, username: 'alice' };
const message = (roomId: number, seq: number): ServerEvent => ({ type: 'message', seq, id: seq, roomId, user, text: `m${seq}`, media: [], createdAt: '2026-01-01T00:00:00.000Z' });
const ready = (lastNotificationId: number): ServerEvent => ({ type: 'ready', unreadNotifications: 0, lastNotificationId });
/** Lets queued microtasks run (a room subscribes in one, after its caller has listened). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Room 7, subscribed on the open `stream`. */
async function subscribedRoom(stream: StreamConnection): Promise<RoomConnection> {
  const room = new RoomConnection({ url: 'ws://murmur.test/api/chat/ws/joinRoom/7', createSocket: (url) => stream.roomSocket(7, url) });
  room.connect();
  await settle();
  return room;
}

function scripted() {
  const sockets: ScriptedSocket[] = [];
  let socketWaiters: Array<(socket: ScriptedSocket) => void> = [];
  /** Resolves with the next socket the stream opens (a reconnect). */
  const nextSocket = () => new Promise<ScriptedSocket>((resolve) => socketWaiters.push(resolve));
  const stream = new StreamConnection({
    url: 'ws://murmur.test/api/chat/ws/stream',
    createSocket: (url) => {
      const socket = new ScriptedSocket(url);
      sockets.push(socket);
      const waiters = socketWaiters;
      socketWaiters = [];
      for (const resolve of waiters) resolve(socket);
      return socket;
    },
    backoff: { baseMs: 1, maxMs: 1, random: () => 0 },
  });
  stream.connect();
  return { stream, sockets, socket: () => sockets.at(-1)!, nextSocket };
}

describe('StreamConnection rules', () => {
  it('reconnects with since = the newest notification it has', async () => {
    const { stream, socket, nextSocket } = scripted();
    socket().open();
    socket().deliver(ready(4));
    const notification = { id: 9, type: 'follow', createdAt: '2026-01-01T00:00:00.000Z', read: false, account: { id: 2, username: 'bob', displayName: null } };
    socket().deliver({ type: 'notification', notification } as ServerEvent);
    const reconnected = nextSocket();
    socket().drop();
    assert.equal((await reconnected).url, 'ws://murmur.test/api/chat/ws/stream?since=9');
    stream.close();
  });

  it('carries a room as a subscription: its frames name it, its events reach it alone, and after a drop it resumes with since', async () => {
    const { stream, socket, nextSocket } = scripted();
    socket().open();
    socket().deliver(ready(0));
    const shown: number[] = [];
    const room = new RoomConnection({ url: 'ws://murmur.test/api/chat/ws/joinRoom/7', createSocket: (url) => stream.roomSocket(7, url), backoff: { baseMs: 1, maxMs: 1, random: () => 0 } });
    room.on('message', (m) => shown.push(m.seq));
    room.connect();
    await settle();
    assert.deepEqual(socket().sent.at(-1), { type: 'subscribe', roomId: 7 });
    socket().deliver({ type: 'history', roomId: 7, lastSeq: 2, messages: [] }, message(8, 5), message(7, 3));
    const clientMsgId = room.send('hello');
    assert.deepEqual(socket().sent.at(-1), { type: 'message', text: 'hello', clientMsgId, roomId: 7 });
    assert.deepEqual(shown, [3], "another room's message is not this room's");

    // The stream drops: the room reconnects through it once it is back, from the seq it holds.
    const reconnected = nextSocket();
    socket().drop();
    const again = await reconnected;
    again.open();
    const subscribed = again.nextSend();
    again.deliver(ready(0));
    await subscribed;
    // The message still waiting for its acknowledgement goes again, under the same clientMsgId.
    assert.deepEqual(again.sent, [
      { type: 'subscribe', roomId: 7, since: 3 },
      { type: 'message', text: 'hello', clientMsgId, roomId: 7 },
    ]);
    room.close();
    stream.close();
  });

  it('ends a room removed from the stream as a socket closed with 4003', async () => {
    const { stream, socket } = scripted();
    socket().open();
    socket().deliver(ready(0));
    const room = await subscribedRoom(stream);
    socket().deliver({ type: 'history', roomId: 7, lastSeq: 0, messages: [] });
    socket().deliver({ type: 'unsubscribed', roomId: 7, reason: 'removed' });
    assert.equal(room.status, 'removed');
    stream.close();
  });

  it('ends for good when the account is suspended (close 4004), and so does every room on it', async () => {
    const { stream, socket, sockets } = scripted();
    socket().open();
    socket().deliver(ready(0));
    const room = await subscribedRoom(stream);
    socket().drop(4004);
    assert.equal(stream.status, 'suspended');
    assert.equal(room.status, 'suspended');
    await settle();
    assert.equal(sockets.length, 1, 'no reconnect');
  });

  it('ends a room a block closed without unsubscribing, which the server already did', async () => {
    const { stream, socket } = scripted();
    socket().open();
    socket().deliver(ready(0));
    const room = await subscribedRoom(stream);
    socket().deliver({ type: 'error', code: 'BLOCKED', message: 'one of you has blocked the other', roomId: 7 });
    assert.equal(room.status, 'blocked');
    assert.equal(stream.status, 'open', 'the stream and its other rooms go on');
    assert.deepEqual(socket().sent, [{ type: 'subscribe', roomId: 7 }]);
    stream.close();
  });
});
