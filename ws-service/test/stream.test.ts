/**
 * `/ws/stream`, the person's one connection: room subscriptions behave as `/ws/joinRoom` does,
 * refusals and limits leave the connection open, and `ready` comes first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api, freePort } from '@murmur/shared/testing';
import { connect, FAST_SENDING_ENV, join, startStack, type Stack, type TestSocket } from './helpers.js';

describe('/ws/stream rooms', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ ...FAST_SENDING_ENV, WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3' });
  });
  after(() => stack.close());

  const url = () => stack.ws.url;
  const user = (prefix: string) => registerUser(stack.auth.url, prefix);

  async function room(owner: RegisteredUser, visibility: 'public' | 'private' = 'public'): Promise<number> {
    const res = await api(url(), 'POST', '/ws/createRoom', { token: owner.token, body: { name: 'r', visibility } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.id as number;
  }

  /** A stream connection, once `ready` has come (the first event). */
  async function stream(person: RegisteredUser, query = ''): Promise<{ socket: TestSocket; ready: any }> {
    const socket = await connect(stack.ws.wsUrl, `/ws/stream${query}`, { token: person.token });
    const ready = await socket.next('ready');
    return { socket, ready };
  }

  /** Subscribes and resolves with the room's `history` (or, with `since`, nothing to wait for). */
  async function subscribe(socket: TestSocket, roomId: number): Promise<any> {
    socket.send({ type: 'subscribe', roomId });
    return socket.next('history', (e) => e.roomId === roomId);
  }

  /** Sends a message on a stream and resolves with its acknowledgement. */
  async function say(socket: TestSocket, roomId: number, text: string): Promise<any> {
    const clientMsgId = `c${Math.random().toString(36).slice(2)}`;
    socket.send({ type: 'message', roomId, text, clientMsgId });
    return socket.next('message', (e) => e.clientMsgId === clientMsgId);
  }

  it('starts with ready, the first event, carrying the notification count and newest id', async () => {
    const alice = await user('ready');
    const socket = await connect(stack.ws.wsUrl, '/ws/stream', { token: alice.token });
    const first = await new Promise<any>((resolve) => socket.ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString().split('\n')[0]!))));
    assert.deepEqual(first, { type: 'ready', unreadNotifications: 0, lastNotificationId: 0 });
    await socket.close();
  });

  it('a subscribed room gets what /ws/joinRoom gets, in order, each event naming its room, on one socket for several rooms', async () => {
    const [alice, bob] = [await user('sa'), await user('sb')];
    const [first, second] = [await room(alice), await room(alice)];
    const { socket } = await stream(bob);
    const [h1, h2] = [await subscribe(socket, first), await subscribe(socket, second)];
    assert.deepEqual([h1.lastSeq, h1.messages, h2.lastSeq], [0, [], 0]);
    const { socket: joined } = await join(stack.ws.wsUrl, first, { token: alice.token });

    const sent = [];
    for (let i = 1; i <= 5; i += 1) sent.push(await joined.say(`m${i}`));
    await socket.next('message', (e) => e.seq === 5 && e.roomId === first);
    const seen = socket.take('message').filter((e) => e.roomId === first);
    assert.deepEqual(
      [...seen.map((e) => e.seq), 5],
      sent.map((e) => e.seq),
    );

    // Bob writes to the second room over the same socket, and types in the first.
    const ack = await say(socket, second, 'hello second');
    assert.deepEqual([ack.roomId, ack.seq, ack.user.id], [second, 1, bob.id]);
    socket.send({ type: 'typing', roomId: first });
    const typing = await joined.next('typing');
    assert.deepEqual(typing, { type: 'typing', roomId: first, user: { id: bob.id, username: bob.username } });
    socket.send({ type: 'read', roomId: first, seq: 5 });
    assert.equal((await joined.next('read')).roomId, first);
    await Promise.all([socket.close(), joined.close()]);
  });

  it('a subscription with since gets exactly the events after it, as a resume', async () => {
    const [alice, bob] = [await user('ra'), await user('rb')];
    const roomId = await room(alice);
    const { socket: joined } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    for (let i = 1; i <= 4; i += 1) await joined.say(`m${i}`);
    const { socket } = await stream(bob);
    socket.send({ type: 'subscribe', roomId, since: 2 });
    const third = await socket.next('message', (e) => e.roomId === roomId);
    const fourth = await socket.next('message', (e) => e.roomId === roomId);
    assert.deepEqual([third.seq, fourth.seq], [3, 4]);
    assert.equal(socket.take('history').length, 0, 'a resume sends no history');
    await joined.say('m5');
    assert.equal((await socket.next('message', (e) => e.roomId === roomId)).seq, 5);
    await Promise.all([socket.close(), joined.close()]);
  });

  it('refuses a room the person may not read, an unknown room and a frame for a room not subscribed, with the room named; the connection stays', async () => {
    const [alice, mallory] = [await user('pa'), await user('pm')];
    const secret = await room(alice, 'private');
    const open = await room(alice);
    const { socket } = await stream(mallory);

    socket.send({ type: 'subscribe', roomId: secret });
    const refused = await socket.next('error', (e) => e.roomId === secret);
    assert.equal(refused.code, 'ROOM_NOT_FOUND');
    socket.send({ type: 'subscribe', roomId: 999_999_999 });
    assert.equal((await socket.next('error', (e) => e.roomId === 999_999_999)).code, 'ROOM_NOT_FOUND');
    socket.send({ type: 'message', roomId: secret, text: 'let me in', clientMsgId: 'x1' });
    const notSubscribed = await socket.next('error', (e) => e.clientMsgId === 'x1');
    assert.deepEqual([notSubscribed.code, notSubscribed.roomId], ['NOT_SUBSCRIBED', secret]);
    socket.send({ type: 'subscribe', roomId: 'seven' });
    assert.equal((await socket.next('error')).code, 'BAD_FRAME');

    // Still open: a room it may read works.
    await subscribe(socket, open);
    const { socket: owner } = await join(stack.ws.wsUrl, secret, { token: alice.token });
    await owner.say('private words');
    await say(socket, open, 'still here');
    assert.equal(
      socket.events.some((e) => e.roomId === secret && e.type !== 'error'),
      false,
      'nothing of the private room reached the non-member',
    );
    await Promise.all([socket.close(), owner.close()]);
  });

  it('frames sent right after subscribe wait for the admission: a member\'s message is stored after the history, a non-member\'s never', async () => {
    const [alice, mallory] = [await user('fa'), await user('fm')];
    const secret = await room(alice, 'private');
    const { socket: outsider } = await stream(mallory);
    outsider.send({ type: 'subscribe', roomId: secret });
    outsider.send({ type: 'message', roomId: secret, text: 'sneaking in', clientMsgId: 'sneak' });
    assert.equal((await outsider.next('error', (e) => e.roomId === secret && !e.clientMsgId)).code, 'ROOM_NOT_FOUND');
    assert.equal((await outsider.next('error', (e) => e.clientMsgId === 'sneak')).code, 'NOT_SUBSCRIBED');
    const stored = await api(url(), 'GET', `/ws/rooms/${secret}/messages`, { token: alice.token });
    assert.deepEqual(stored.body.items, []);

    const { socket: owner } = await stream(alice);
    owner.send({ type: 'subscribe', roomId: secret });
    owner.send({ type: 'message', roomId: secret, text: 'right away', clientMsgId: 'quick' });
    const history = await owner.next('history', (e) => e.roomId === secret);
    const ack = await owner.next('message', (e) => e.clientMsgId === 'quick');
    assert.deepEqual([history.lastSeq, ack.seq], [0, 1]);
    await Promise.all([outsider.close(), owner.close()]);
  });

  it('refuses subscriptions beyond WS_MAX_SUBSCRIPTIONS_PER_CONNECTION and a second subscription to one room; unsubscribing frees a place', async () => {
    const alice = await user('ca');
    const rooms = [await room(alice), await room(alice), await room(alice), await room(alice)];
    const { socket } = await stream(alice);
    for (const roomId of rooms.slice(0, 3)) await subscribe(socket, roomId);
    socket.send({ type: 'subscribe', roomId: rooms[3] });
    assert.equal((await socket.next('error', (e) => e.roomId === rooms[3])).code, 'TOO_MANY_SUBSCRIPTIONS');
    socket.send({ type: 'subscribe', roomId: rooms[0] });
    assert.equal((await socket.next('error', (e) => e.roomId === rooms[0])).code, 'ALREADY_SUBSCRIBED');

    socket.send({ type: 'unsubscribe', roomId: rooms[0] });
    await subscribe(socket, rooms[3]!);
    // The room left gets nothing more to this socket.
    const { socket: other } = await join(stack.ws.wsUrl, rooms[0]!, { token: alice.token });
    await other.say('after unsubscribing');
    await say(socket, rooms[3]!, 'sync');
    assert.equal(
      socket.events.some((e) => e.type === 'message' && e.roomId === rooms[0]),
      false,
    );
    await Promise.all([socket.close(), other.close()]);
  });

  it("a member removed from a subscribed room hears unsubscribed, and the connection stays open for the person's other rooms", async () => {
    const [alice, bob] = [await user('ua'), await user('ub')];
    const [kept, left] = [await room(alice), await room(alice, 'private')];
    assert.equal((await api(url(), 'PUT', `/ws/rooms/${left}/members/${bob.id}`, { token: alice.token })).status, 200);
    const { socket } = await stream(bob);
    await subscribe(socket, kept);
    await subscribe(socket, left);

    assert.equal((await api(url(), 'DELETE', `/ws/rooms/${left}/members/${bob.id}`, { token: alice.token })).status, 204);
    assert.deepEqual(await socket.next('unsubscribed'), { type: 'unsubscribed', roomId: left, reason: 'removed' });
    const { socket: owner } = await join(stack.ws.wsUrl, left, { token: alice.token });
    await owner.say('after the removal');
    assert.equal((await say(socket, kept, 'still connected')).roomId, kept);
    assert.equal(
      socket.events.some((e) => e.type === 'message' && e.roomId === left),
      false,
    );
    socket.send({ type: 'subscribe', roomId: left });
    assert.equal((await socket.next('error', (e) => e.roomId === left)).code, 'ROOM_NOT_FOUND');
    await Promise.all([socket.close(), owner.close()]);
  });

  it('tells a member of each new message in a room the connection is not subscribed to, with the unread count and the message; nothing to a non-member', async () => {
    const [alice, bob, carol] = [await user('aa'), await user('ab'), await user('ac')];
    const [watched, subscribed, secret] = [await room(alice, 'private'), await room(alice), await room(alice, 'private')];
    assert.equal((await api(url(), 'PUT', `/ws/rooms/${watched}/members/${bob.id}`, { token: alice.token })).status, 200);
    const { socket: owner } = await join(stack.ws.wsUrl, watched, { token: alice.token });
    await owner.say('before the stream');
    const { socket } = await stream(bob);
    const { socket: outsider } = await stream(carol);
    await subscribe(socket, subscribed);

    const sent = await owner.say('while watching');
    const activity = await socket.next('room_activity');
    assert.deepEqual(activity, {
      type: 'room_activity',
      roomId: watched,
      lastSeq: sent.seq,
      unread: 2,
      lastMessage: (({ type: _type, ...message }) => message)(sent),
    });

    // Reading the room (on any connection of the person) lowers the count the next activity shows.
    const { socket: reader } = await join(stack.ws.wsUrl, watched, { token: bob.token });
    reader.send({ type: 'read', seq: sent.seq });
    await owner.next('read', (e) => e.user.id === bob.id);
    await reader.close();
    await owner.say('after reading');
    assert.equal((await socket.next('room_activity')).unread, 1);

    // A subscribed room sends its own events instead; a private room sends nothing to a non-member.
    const { socket: inSubscribed } = await join(stack.ws.wsUrl, subscribed, { token: alice.token });
    await inSubscribed.say('in the subscribed room');
    await socket.next('message', (e) => e.roomId === subscribed);
    const { socket: inSecret } = await join(stack.ws.wsUrl, secret, { token: alice.token });
    await inSecret.say('secret');
    await owner.say('sync');
    await socket.next('room_activity', (e) => e.lastMessage.text === 'sync');
    assert.deepEqual(socket.take('room_activity'), []);
    assert.deepEqual(outsider.events, []);

    // A member removed stops hearing of the room.
    assert.equal((await api(url(), 'DELETE', `/ws/rooms/${watched}/members/${bob.id}`, { token: alice.token })).status, 204);
    await owner.say('after the removal');
    await inSubscribed.say('sync again');
    await socket.next('message', (e) => e.text === 'sync again');
    assert.deepEqual(socket.take('room_activity'), []);
    await Promise.all([socket.close(), outsider.close(), owner.close(), inSubscribed.close(), inSecret.close()]);
  });

  it('starts without the missed notifications, saying so, when user-service cannot be reached; the stream works on', async () => {
    const port = await freePort();
    const local = await startStack({ ...FAST_SENDING_ENV, WS_USER_SERVICE_URL: `http://127.0.0.1:${port}` });
    try {
      const alice = await registerUser(local.auth.url, 'down');
      const socket = await connect(local.ws.wsUrl, '/ws/stream?since=5', { token: alice.token });
      await socket.next('ready');
      const unavailable = await socket.next('error');
      assert.equal(unavailable.code, 'NOTIFICATIONS_UNAVAILABLE');
      assert.match(unavailable.message, /GET \/notifications\?since=5/);
      const roomId = (await api(local.ws.url, 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'r' } })).body.id as number;
      socket.send({ type: 'subscribe', roomId });
      await socket.next('history', (e) => e.roomId === roomId);
      await socket.close();
    } finally {
      await local.close();
    }
  });

  it('counts once against the per-user connection cap, whatever it subscribes to', async () => {
    const local = await startStack({ ...FAST_SENDING_ENV, WS_MAX_CONNECTIONS_PER_USER: '1' });
    try {
      const alice = await registerUser(local.auth.url, 'cap');
      const rooms = [];
      for (let i = 0; i < 3; i += 1) {
        const res = await api(local.ws.url, 'POST', '/ws/createRoom', { token: alice.token, body: { name: `r${i}` } });
        rooms.push(res.body.id as number);
      }
      const socket = await connect(local.ws.wsUrl, '/ws/stream', { token: alice.token });
      await socket.next('ready');
      for (const roomId of rooms) {
        socket.send({ type: 'subscribe', roomId });
        await socket.next('history', (e) => e.roomId === roomId);
      }
      await assert.rejects(connect(local.ws.wsUrl, '/ws/stream', { token: alice.token }), /429/);
      await socket.close();
    } finally {
      await local.close();
    }
  });
});
