/**
 * Presence reaches every member of a room, so the arrivals one account has announced are paced
 * across its sockets: entering and leaving a room over and over, by `subscribe` / `unsubscribe`
 * on several streams or by `/ws/joinRoom` sockets opened and closed, reaches the room's members at
 * the account's presence rate at most, and what they hear always ends with the truth. Nothing is
 * refused: every subscription is made at once, only its announcement may wait.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api, eventually } from '@murmur/shared/testing';
import { connect, createRoom, FAST_SENDING_ENV, join, startStack, type Stack, type TestSocket } from './helpers.js';

const PRESENCE_BURST = 3;
const PRESENCE_PER_SECOND = 1;
/** Times an account enters and leaves the room in a storm: far more than the budget lets through. */
const CYCLES = 20;

describe('per-account presence pacing', () => {
  let stack: Stack;

  before(async () => {
    // Each socket may send plenty: only the account's presence budget applies.
    stack = await startStack({
      ...FAST_SENDING_ENV,
      WS_USER_PRESENCE_PER_SECOND: String(PRESENCE_PER_SECOND),
      WS_USER_PRESENCE_BURST: String(PRESENCE_BURST),
    });
  });
  after(() => stack.close());

  /** Fresh accounts for each test: an account's budgets outlive its last socket here until they refill. */
  const accounts = (...prefixes: string[]) => Promise.all(prefixes.map((p) => registerUser(stack.auth.url, p)));

  /** A stream connection, once `ready` has come. */
  async function stream(person: RegisteredUser): Promise<TestSocket> {
    const socket = await connect(stack.ws.wsUrl, '/ws/stream', { token: person.token });
    await socket.next('ready');
    return socket;
  }

  /** Subscribes the stream to the room and resolves with its `history`. */
  async function subscribe(socket: TestSocket, roomId: number): Promise<any> {
    socket.send({ type: 'subscribe', roomId });
    return socket.next('history', (e) => e.roomId === roomId);
  }

  /** Enters the room on the stream and leaves it, resolving once the server has handled both. */
  async function enterAndLeave(socket: TestSocket, roomId: number): Promise<void> {
    await subscribe(socket, roomId);
    socket.send({ type: 'unsubscribe', roomId });
    // A room frame after the unsubscribe is refused once the server has handled the unsubscribe.
    socket.send({ type: 'typing', roomId });
    await socket.next('error', (e) => e.code === 'NOT_SUBSCRIBED' && e.roomId === roomId);
  }

  /** What `observer` has heard of `userId`'s presence in the room so far, in order. */
  const presenceOf = (observer: TestSocket, roomId: number, userId: number): string[] =>
    observer.events.filter((e) => (e.type === 'participant_joined' || e.type === 'participant_left') && e.roomId === roomId && e.user.id === userId).map((e) => e.type);

  /** Asserts that `heard` alternates joined / left from a join, as a member keeping a list of who is here needs. */
  function assertAlternating(heard: string[]): void {
    heard.forEach((type, i) => assert.equal(type, i % 2 === 0 ? 'participant_joined' : 'participant_left', `event ${i} of ${JSON.stringify(heard)}`));
  }

  /** Asserts that at most the budget's arrivals were announced in `elapsedSeconds`, and at least its burst. */
  function assertPaced(heard: string[], elapsedSeconds: number, arrivals: number): void {
    const joined = heard.filter((type) => type === 'participant_joined').length;
    const allowed = PRESENCE_BURST + Math.ceil(elapsedSeconds * PRESENCE_PER_SECOND);
    assert.ok(joined >= PRESENCE_BURST, `the burst is announced at once (${joined} announced)`);
    assert.ok(joined <= allowed, `${joined} of ${arrivals} arrivals announced; at most ${allowed} allowed in ${elapsedSeconds.toFixed(2)} s`);
  }

  const clientIds = async (roomId: number, token: string): Promise<number[]> => {
    const res = await api(stack.ws.url, 'GET', `/ws/getClients/${roomId}`, { token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body as Array<{ id: number }>).map((user) => user.id);
  };

  it('announces an account subscribing and unsubscribing over and over from several streams at its presence rate at most, ending with the truth', async () => {
    const [alice, bob] = (await accounts('alice', 'bob')) as [RegisteredUser, RegisteredUser];
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket: bobs } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    const streams = await Promise.all([1, 2, 3].map(() => stream(alice)));

    const started = performance.now();
    // One at a time, so that every cycle is an arrival and a departure of the account.
    for (let i = 0; i < CYCLES; i += 1) await enterAndLeave(streams[i % streams.length]!, roomId);
    // The storm ends with the account in the room: the last word bob hears must say so.
    await subscribe(streams[0]!, roomId);
    await eventually(() => Promise.resolve(assert.equal(presenceOf(bobs, roomId, alice.id).at(-1), 'participant_joined')));
    const elapsedSeconds = (performance.now() - started) / 1_000;

    const heard = presenceOf(bobs, roomId, alice.id);
    assertAlternating(heard);
    assertPaced(heard, elapsedSeconds, CYCLES + 1);
    assert.ok((await clientIds(roomId, bob.token)).includes(alice.id), 'alice is listed among the clients');
    // Every subscription was made: no refusal but the barrier's own.
    assert.deepEqual(streams.flatMap((socket) => socket.take('error')).filter((e) => e.code !== 'NOT_SUBSCRIBED'), []);
    await Promise.all([...streams, bobs].map((socket) => socket.close()));
  });

  it('paces /ws/joinRoom sockets opened and closed over and over the same way, ending with the departure', async () => {
    const [alice, bob] = (await accounts('alice', 'bob')) as [RegisteredUser, RegisteredUser];
    const roomId = await createRoom(stack.ws.url, alice.token);
    const { socket: bobs } = await join(stack.ws.wsUrl, roomId, { token: bob.token });

    const started = performance.now();
    for (let i = 0; i < CYCLES; i += 1) await (await join(stack.ws.wsUrl, roomId, { token: alice.token })).socket.close();
    // Gone: bob's last word of alice is her departure (or nothing, had no arrival been announced).
    await eventually(async () => {
      assert.deepEqual(await clientIds(roomId, bob.token), [bob.id]);
      assert.equal(presenceOf(bobs, roomId, alice.id).length % 2, 0, 'every announced arrival is followed by its departure');
    });
    const heard = presenceOf(bobs, roomId, alice.id);
    const elapsedSeconds = (performance.now() - started) / 1_000;

    assertAlternating(heard);
    assertPaced(heard, elapsedSeconds, CYCLES);
    await bobs.close();
  });

  it('makes every subscription of a connection at once, and announces each: the burst at once, the rest as the budget refills', async () => {
    const [alice, carol] = (await accounts('alice', 'carol')) as [RegisteredUser, RegisteredUser];
    const rooms = await Promise.all(Array.from({ length: PRESENCE_BURST + 2 }, () => createRoom(stack.ws.url, alice.token)));
    const observer = await stream(alice);
    for (const roomId of rooms) await subscribe(observer, roomId);

    // A client connecting with several rooms open subscribes to them all at once.
    const carols = await stream(carol);
    for (const roomId of rooms) carols.send({ type: 'subscribe', roomId });
    const histories = await Promise.all(rooms.map((roomId) => carols.next('history', (e) => e.roomId === roomId)));
    assert.deepEqual(
      histories.map((h) => h.roomId),
      rooms,
    );
    assert.deepEqual(carols.take('error'), [], 'no subscription is refused');
    // Carol is in every room now: she hears alice's messages there.
    for (const roomId of rooms) {
      const clientMsgId = `c${roomId}`;
      observer.send({ type: 'message', roomId, text: 'hi', clientMsgId });
      await carols.next('message', (e) => e.roomId === roomId && e.clientMsgId === clientMsgId);
    }
    // Each arrival is announced once, the ones past the burst within a few refills.
    const joined = await Promise.all(rooms.map((roomId) => observer.next('participant_joined', (e) => e.roomId === roomId && e.user.id === carol.id, 5_000)));
    assert.equal(joined.length, rooms.length);
    assert.deepEqual(observer.take('participant_left'), []);
    await Promise.all([observer, carols].map((socket) => socket.close()));
  });
});
