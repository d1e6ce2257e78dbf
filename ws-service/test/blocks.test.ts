/**
 * Blocks in chat: a blocker gets the blocked account's messages and edits marked hidden (same
 * seq and author, no text, no pictures) live, in history, on resume and over REST, on both
 * endpoints, and none of its typing; everyone else, the blocked account included, sees
 * everything as before. A block made or undone while both are connected counts from the moment
 * its event arrives. Search leaves out both sides of a block, and suspended accounts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api, eventually } from '@murmur/shared/testing';
import { blockHeard, connect, createRoom, FAST_SENDING_ENV, join, setBlock, setSuspended, startStack, type Stack, type TestSocket } from './helpers.js';

describe('blocks in rooms', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack(FAST_SENDING_ENV);
  });
  after(() => stack.close());

  const db = () => stack.ws.deps.database.db;
  const user = (prefix: string) => registerUser(stack.auth.url, prefix);
  /** A block (or its end) made as user-service makes it, once this instance has heard of it. */
  const block = (blocker: RegisteredUser, blocked: RegisteredUser, blocking = true) => blockHeard(stack.ws, blocker.id, blocked.id, blocking);

  /** The message as a reader who blocks its author gets it. */
  const hiddenCopy = (message: any) => ({
    seq: message.seq,
    id: message.id,
    roomId: message.roomId,
    user: message.user,
    text: null,
    media: [],
    createdAt: message.createdAt,
    hidden: true,
  });
  /** A message event as the history lists it. */
  const withoutType = ({ type: _type, ...event }: any) => event;

  async function stream(person: RegisteredUser): Promise<TestSocket> {
    const socket = await connect(stack.ws.wsUrl, '/ws/stream', { token: person.token });
    await socket.next('ready');
    return socket;
  }

  it("hides the blocked account's messages and edits from the blocker on /ws/joinRoom, live, in history, on resume and over REST, and no one else's view changes", async () => {
    const [alice, bob, carol] = [await user('blocker'), await user('blocked'), await user('other')];
    const roomId = await createRoom(stack.ws.url, carol.token);
    await setBlock(db(), alice.id, bob.id, true);
    const { socket: b } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    const { socket: c } = await join(stack.ws.wsUrl, roomId, { token: carol.token });
    const early = await b.say('before alice came');

    const { socket: a, history } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    assert.deepEqual(history.messages, [hiddenCopy(early)]);
    const live = await b.say('while alice is here');
    assert.deepEqual(withoutType(await a.next('message', (e) => e.seq === live.seq)), hiddenCopy(live));
    assert.equal((await c.next('message', (e) => e.seq === live.seq)).text, 'while alice is here');
    b.send({ type: 'edit', seq: live.seq, text: 'edited' });
    const edit = await a.next('message_edited');
    assert.deepEqual([edit.seq, edit.target, edit.text, edit.hidden, edit.user.id], [live.seq + 1, live.seq, null, true, bob.id]);
    assert.equal((await c.next('message_edited')).text, 'edited');

    // Bob's typing never reaches alice; carol's does, and bob sees alice's messages as before.
    b.send({ type: 'typing' });
    await c.next('typing', (e) => e.user.id === bob.id);
    c.send({ type: 'typing' });
    assert.equal((await a.next('typing')).user.id, carol.id);
    const mine = await a.say('alice speaks');
    assert.equal((await b.next('message', (e) => e.seq === mine.seq)).text, 'alice speaks');

    // Resume from the start: the same seqs, bob's hidden, the edit's text gone.
    const resumed = await connect(stack.ws.wsUrl, `/ws/joinRoom/${roomId}?since=0`, { token: alice.token });
    await resumed.next('message', (e) => e.seq === mine.seq);
    const replay = [...resumed.take('message'), ...resumed.take('message_edited')].sort((x, y) => x.seq - y.seq);
    assert.deepEqual(
      replay.map((e) => [e.seq, e.type, e.text ?? null, e.hidden ?? false]),
      [
        [early.seq, 'message', null, true],
        [live.seq, 'message', null, true],
        [live.seq + 1, 'message_edited', null, true],
      ],
    );
    // Carol's history shows bob's words; alice's REST pages do not.
    const { socket: c2, history: carols } = await join(stack.ws.wsUrl, roomId, { token: carol.token });
    assert.deepEqual(carols.messages.map((m: any) => m.text), ['before alice came', 'edited', 'alice speaks']);
    const page = await api(stack.ws.url, 'GET', `/ws/rooms/${roomId}/messages`, { token: alice.token });
    assert.deepEqual(
      page.body.items.map((m: any) => [m.seq, m.text, m.hidden ?? false]),
      [
        [mine.seq, 'alice speaks', false],
        [live.seq, null, true],
        [early.seq, null, true],
      ],
    );
    const listed = await api(stack.ws.url, 'GET', `/ws/rooms/${roomId}`, { token: alice.token });
    assert.equal(listed.body.lastMessage.text, 'alice speaks');
    await Promise.all([a, b, c, c2, resumed].map((s) => s.close()));
  });

  it("hides them on /ws/stream too: a subscription's history, its live messages, its resume and a watched room's activity", async () => {
    const [alice, bob] = [await user('blocker'), await user('blocked')];
    const roomId = await createRoom(stack.ws.url, bob.token);
    const watched = await createRoom(stack.ws.url, bob.token);
    await setBlock(db(), alice.id, bob.id, true);
    const { socket: b } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    const { socket: bw } = await join(stack.ws.wsUrl, watched, { token: bob.token });
    const early = await b.say('one');
    // Alice joins the watched room once, so her stream watches it for room_activity.
    (await join(stack.ws.wsUrl, watched, { token: alice.token })).socket.ws.close();

    const a = await stream(alice);
    a.send({ type: 'subscribe', roomId });
    const history = await a.next('history', (e) => e.roomId === roomId);
    assert.deepEqual(history.messages, [hiddenCopy(early)]);
    const live = await b.say('two');
    assert.deepEqual(withoutType(await a.next('message', (e) => e.seq === live.seq)), hiddenCopy(live));
    const elsewhere = await bw.say('in the watched room');
    const activity = await a.next('room_activity', (e) => e.roomId === watched);
    assert.deepEqual(activity.lastMessage, hiddenCopy(elsewhere));

    a.send({ type: 'unsubscribe', roomId });
    a.send({ type: 'subscribe', roomId, since: 0 });
    await a.next('message', (e) => e.roomId === roomId && e.seq === live.seq);
    assert.deepEqual(
      a.take('message').filter((e) => e.roomId === roomId).map(withoutType),
      [hiddenCopy(early)],
    );
    await Promise.all([a.close(), b.close(), bw.close()]);
  });

  it("a block made while both are connected hides the blocked account's next messages and the history from then on, and its end shows everything again", async () => {
    const [alice, bob] = [await user('blocker'), await user('blocked')];
    const roomId = await createRoom(stack.ws.url, bob.token);
    const { socket: a } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const s = await stream(alice);
    s.send({ type: 'subscribe', roomId });
    await s.next('history');
    const { socket: b } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    const before = await b.say('before the block');
    assert.equal((await a.next('message', (e) => e.seq === before.seq)).text, 'before the block');

    await block(alice, bob);
    const during = await b.say('during the block');
    assert.deepEqual(withoutType(await a.next('message', (e) => e.seq === during.seq)), hiddenCopy(during));
    assert.deepEqual(withoutType(await s.next('message', (e) => e.seq === during.seq)), hiddenCopy(during));
    const { socket: again, history } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    assert.deepEqual(history.messages, [hiddenCopy(before), hiddenCopy(during)]);

    await block(alice, bob, false);
    const afterwards = await b.say('after the block');
    assert.equal((await a.next('message', (e) => e.seq === afterwards.seq)).text, 'after the block');
    assert.equal((await s.next('message', (e) => e.seq === afterwards.seq)).text, 'after the block');
    const { socket: last, history: restored } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    assert.deepEqual(restored.messages, [before, during, afterwards].map(withoutType));
    await Promise.all([a, s, b, again, last].map((socket) => socket.close()));
  });

  it('a block the instance missed (its event lost) counts once the auth events connection comes back', async () => {
    const [alice, bob] = [await user('blocker'), await user('blocked')];
    const roomId = await createRoom(stack.ws.url, bob.token);
    const { socket: a } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const { socket: b } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    await setBlock(db(), alice.id, bob.id, true, { announce: false });
    const [client] = [...stack.ws.service.connections].filter((c) => c.user.id === alice.id);
    assert.ok(client);
    // A block announced while the list is read again is kept, whichever lands first.
    const carol = await user('other');
    stack.ws.deps.verification.authEvents.emit('reset');
    await block(alice, carol);
    // The list is read in the background, with nothing to wait for but the list itself.
    await eventually(() => Promise.resolve(assert.ok(client.blocks.has(bob.id) && client.blocks.has(carol.id))));
    const said = await b.say('missed block');
    assert.equal((await a.next('message', (e) => e.seq === said.seq)).hidden, true);
    await Promise.all([a.close(), b.close()]);
  });

  it('search leaves out the messages of accounts the searcher blocks or is blocked by, and of suspended accounts', async () => {
    const [alice, bob, carol] = [await user('blocker'), await user('blocked'), await user('other')];
    const roomId = await createRoom(stack.ws.url, carol.token);
    const word = `zebra${Date.now().toString(36)}`;
    for (const person of [alice, bob, carol]) {
      const { socket } = await join(stack.ws.wsUrl, roomId, { token: person.token });
      await socket.say(`${word} from ${person.username}`);
      await socket.close();
    }
    await setBlock(db(), alice.id, bob.id, true);
    const authors = async (person: RegisteredUser) => {
      const res = await api(stack.ws.url, 'GET', `/ws/search?q=${word}&roomId=${roomId}`, { token: person.token });
      assert.equal(res.status, 200);
      return res.body.items.map((hit: any) => hit.message.user.id).sort((x: number, y: number) => x - y);
    };
    const sorted = (...ids: number[]) => ids.sort((x, y) => x - y);
    assert.deepEqual(await authors(alice), sorted(alice.id, carol.id));
    assert.deepEqual(await authors(bob), sorted(bob.id, carol.id));
    assert.deepEqual(await authors(carol), sorted(alice.id, bob.id, carol.id));
    // Nor those of a suspended account, for anyone.
    await setSuspended(db(), carol.id, true);
    assert.deepEqual(await authors(alice), [alice.id]);
  });
});
