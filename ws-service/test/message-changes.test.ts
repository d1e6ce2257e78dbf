import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api } from '@murmur/shared/testing';
import { connect, createRoom, join, listedRoom, startStack, startWsService, type Stack, type TestSocket, FAST_SENDING_ENV } from './helpers.js';

describe('edits, deletions and read markers', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;
  const open: TestSocket[] = [];

  before(async () => {
    stack = await startStack(FAST_SENDING_ENV);
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => registerUser(stack.auth.url, name))) as [RegisteredUser, RegisteredUser, RegisteredUser];
  });
  after(async () => {
    await Promise.all(open.map((socket) => socket.close()));
    await stack.close();
  });

  const url = () => stack.ws.url;
  const wsUrl = () => stack.ws.wsUrl;
  const joined = async (roomId: number, user: RegisteredUser) => {
    const { socket, history } = await join(wsUrl(), roomId, { token: user.token });
    open.push(socket);
    return { socket, history };
  };
  const history = async (roomId: number, user: RegisteredUser) => {
    const res = await api(url(), 'GET', `/ws/rooms/${roomId}/messages`, { token: user.token });
    assert.equal(res.status, 200);
    return res.body.items as any[];
  };
  const roomInList = (roomId: number, user: RegisteredUser) => listedRoom(url(), user.token, roomId);

  it("an author's edit reaches every live client with its own seq, shows in history and replays on resume", async () => {
    const roomId = await createRoom(url(), alice.token, 'edits');
    const { socket: a } = await joined(roomId, alice);
    const { socket: b } = await joined(roomId, bob);
    const sent = await a.say('helo');
    // A join now makes the room's history event; a join after the edit must not reuse it.
    const { socket: early, history: before } = await joined(roomId, carol);
    assert.deepEqual(before.messages.map((m: any) => m.text), ['helo']);
    await early.close();
    a.send({ type: 'edit', seq: sent.seq, text: 'hello' });
    const [mine, theirs] = await Promise.all([a.next('message_edited'), b.next('message_edited')]);
    assert.deepEqual(theirs, mine);
    assert.equal(theirs.seq, sent.seq + 1, 'the edit takes the next seq of the room');
    assert.equal(theirs.target, sent.seq);
    assert.equal(theirs.text, 'hello');
    assert.deepEqual(theirs.user, { id: alice.id, username: alice.username });
    assert.ok(!Number.isNaN(Date.parse(theirs.editedAt)));

    const [stored] = await history(roomId, bob);
    assert.equal(stored.seq, sent.seq);
    assert.equal(stored.text, 'hello');
    assert.equal(stored.editedAt, theirs.editedAt);
    assert.equal((await history(roomId, bob)).length, 1, 'history lists messages, not the edits');

    // A join's history (from memory) shows the current text; a resume replays the edit.
    const { history: onJoin } = await joined(roomId, carol);
    assert.equal(onJoin.lastSeq, theirs.seq);
    assert.deepEqual(
      onJoin.messages.map((m: any) => [m.seq, m.text, m.editedAt]),
      [[sent.seq, 'hello', theirs.editedAt]],
    );
    const resumed = await connect(wsUrl(), `/ws/joinRoom/${roomId}?since=${sent.seq}`, { token: carol.token });
    open.push(resumed);
    const replayed = await resumed.next('message_edited');
    assert.deepEqual(replayed, theirs);
  });

  it('refuses an edit by anyone but the author, of something that is not a message, or past the limits, with an error naming why; the socket stays open', async () => {
    const roomId = await createRoom(url(), alice.token, 'refused edits');
    const { socket: a } = await joined(roomId, alice);
    const { socket: b } = await joined(roomId, bob);
    const sent = await a.say('mine');
    b.send({ type: 'edit', seq: sent.seq, text: 'yours now' });
    assert.equal((await b.next('error', (e) => e.seq === sent.seq)).code, 'NOT_MESSAGE_AUTHOR');

    a.send({ type: 'edit', seq: sent.seq, text: 'mine, edited' });
    const edit = await a.next('message_edited');
    a.send({ type: 'edit', seq: edit.seq, text: 'editing an edit' });
    assert.equal((await a.next('error', (e) => e.seq === edit.seq)).code, 'NOT_A_MESSAGE');
    a.send({ type: 'edit', seq: edit.seq + 50, text: 'nothing there' });
    assert.equal((await a.next('error', (e) => e.seq === edit.seq + 50)).code, 'MESSAGE_NOT_FOUND');
    for (const frame of [
      { type: 'edit', seq: sent.seq, text: '   ' },
      { type: 'edit', seq: sent.seq, text: 'x'.repeat(2001) },
      { type: 'edit', seq: 0, text: 'x' },
      { type: 'edit', seq: 'one', text: 'x' },
      { type: 'read', seq: -1 },
      { type: 'delete' },
    ]) {
      a.send(frame);
      assert.equal((await a.next('error')).code, 'BAD_FRAME', JSON.stringify(frame));
    }
    // Still open, still serving.
    assert.equal((await a.say('still here')).text, 'still here');
    assert.equal(b.events.filter((e) => e.type === 'message_edited').length, 1, 'refused edits reach nobody');
  });

  it('a deletion by the author or a moderator reaches live clients and leaves a tombstone everywhere, with the text gone from every resume', async () => {
    const roomId = await createRoom(url(), alice.token, 'deletions');
    const { socket: a } = await joined(roomId, alice);
    const { socket: b } = await joined(roomId, bob);
    const { socket: c } = await joined(roomId, carol);
    // alice owns the room; bob is made a moderator; carol is a plain member.
    const promoted = await api(url(), 'PUT', `/ws/rooms/${roomId}/members/${bob.id}`, { token: alice.token, body: { role: 'moderator' } });
    assert.equal(promoted.status, 200);

    const regrettable = await c.say('regrettable');
    c.send({ type: 'edit', seq: regrettable.seq, text: 'more regrettable' });
    await c.next('message_edited');
    const rude = await a.say('rude');

    c.send({ type: 'delete', seq: rude.seq });
    assert.equal((await c.next('error', (e) => e.seq === rude.seq)).code, 'NOT_ALLOWED_TO_DELETE', "a member cannot delete another's message");

    c.send({ type: 'delete', seq: regrettable.seq });
    const [own, seenByOwner] = await Promise.all([c.next('message_deleted'), a.next('message_deleted')]);
    assert.deepEqual(own, seenByOwner);
    assert.equal(own.target, regrettable.seq);
    assert.deepEqual(own.user, { id: carol.id, username: carol.username });
    b.send({ type: 'delete', seq: rude.seq });
    const moderated = await a.next('message_deleted', (e) => e.target === rude.seq);
    assert.deepEqual(moderated.user, { id: bob.id, username: bob.username });

    c.send({ type: 'delete', seq: regrettable.seq });
    assert.equal((await c.next('error', (e) => e.seq === regrettable.seq)).code, 'MESSAGE_DELETED');
    c.send({ type: 'edit', seq: regrettable.seq, text: 'undo' });
    assert.equal((await c.next('error', (e) => e.seq === regrettable.seq)).code, 'MESSAGE_DELETED');

    const tombstone = (seq: number) => ({ seq, user: null, text: null, deleted: true });
    const pick = (m: any) => ({ seq: m.seq, user: m.user, text: m.text, deleted: m.deleted });
    assert.deepEqual((await history(roomId, bob)).map(pick), [tombstone(rude.seq), tombstone(regrettable.seq)]);

    // Memory on this instance, the database through a fresh instance, and resumes from both:
    // the deleted words appear nowhere.
    const fresh = await startWsService(FAST_SENDING_ENV);
    try {
      for (const server of [wsUrl(), fresh.wsUrl]) {
        const { socket: late, history: onJoin } = await join(server, roomId, { token: bob.token });
        assert.deepEqual(onJoin.messages.map(pick), [tombstone(regrettable.seq), tombstone(rude.seq)]);
        const resumed = await connect(server, `/ws/joinRoom/${roomId}?since=${regrettable.seq - 1}`, { token: bob.token });
        const deletions = [await resumed.next('message_deleted'), await resumed.next('message_deleted')];
        assert.deepEqual(deletions.map((d) => d.target), [regrettable.seq, rude.seq]);
        const edit = (await resumed.next('message_edited'));
        assert.equal(edit.text, null, 'the edit of a deleted message is replayed without its text');
        for (const frame of [...late.frames, ...resumed.frames]) assert.doesNotMatch(frame, /regrettable|rude/);
        await Promise.all([late.close(), resumed.close()]);
      }
    } finally {
      await fresh.close();
    }
  });

  it('refuses a resend of a deleted message with MESSAGE_DELETED instead of storing it again', async () => {
    const roomId = await createRoom(url(), alice.token, 'resend after delete');
    const { socket: phone } = await joined(roomId, alice);
    const { socket: laptop } = await joined(roomId, alice);
    const sent = await phone.say('sent twice, deleted once', 'resend-1');
    laptop.send({ type: 'delete', seq: sent.seq });
    await phone.next('message_deleted');
    // The phone never saw its acknowledgement, say, and sends the message again.
    phone.send({ type: 'message', text: 'sent twice, deleted once', clientMsgId: 'resend-1' });
    const refused = await phone.next('error', (e) => e.clientMsgId === 'resend-1');
    assert.equal(refused.code, 'MESSAGE_DELETED');
    assert.equal((await history(roomId, alice)).length, 1, 'nothing new was stored');
    assert.equal((await roomInList(roomId, alice)).lastSeq, sent.seq + 1);
  });

  it('acknowledges a resend of an edited message with its current text, storing nothing new', async () => {
    const roomId = await createRoom(url(), alice.token, 'resend after edit');
    const { socket } = await joined(roomId, alice);
    const sent = await socket.say('helo', 'edited-1');
    socket.send({ type: 'edit', seq: sent.seq, text: 'hello' });
    const edit = await socket.next('message_edited');
    const again = await socket.say('helo', 'edited-1');
    assert.deepEqual([again.seq, again.id, again.text, again.editedAt], [sent.seq, sent.id, 'hello', edit.editedAt]);
    assert.equal((await history(roomId, alice)).length, 1);
  });

  it('keeps the last 50 messages for the join history however many edits and deletions came among them', async () => {
    const small = await startWsService({ ...FAST_SENDING_ENV, WS_RECENT_MESSAGES: '50' });
    try {
      const roomId = await createRoom(small.url, alice.token, 'busy editors');
      const { socket } = await join(small.wsUrl, roomId, { token: alice.token });
      const sent = [];
      for (let i = 0; i < 60; i += 1) sent.push(await socket.say(`m${i}`));
      for (const message of sent.slice(-10)) {
        socket.send({ type: 'edit', seq: message.seq, text: `${message.text}!` });
        await socket.next('message_edited');
      }
      // Joined on the instance that holds the room in memory, and on a fresh one that loads it.
      const fresh = await startWsService(FAST_SENDING_ENV);
      try {
        for (const server of [small.wsUrl, fresh.wsUrl]) {
          const { socket: late, history: onJoin } = await join(server, roomId, { token: bob.token });
          assert.equal(onJoin.messages.length, 50);
          assert.deepEqual(onJoin.messages.at(0).seq, sent[10].seq);
          assert.equal(onJoin.messages.at(-1).text, 'm59!');
          await late.close();
        }
      } finally {
        await fresh.close();
      }
      await socket.close();
    } finally {
      await small.close();
    }
  });

  it('a read marker moves only forward, reaches the other members, and drives unread in getRooms', async () => {
    const roomId = await createRoom(url(), alice.token, 'reads');
    const { socket: a } = await joined(roomId, alice);
    const { socket: b } = await joined(roomId, bob);
    const sent = [];
    for (const text of ['one', 'two', 'three']) sent.push(await a.say(text));
    a.send({ type: 'edit', seq: sent[2].seq, text: 'three!' });
    const edit = await a.next('message_edited');
    assert.equal((await roomInList(roomId, bob)).unread, 3, 'three messages, the edit not counted');

    b.send({ type: 'read', seq: sent[1].seq });
    const seen = await a.next('read');
    assert.deepEqual(seen, { type: 'read', roomId, user: { id: bob.id, username: bob.username }, seq: sent[1].seq });
    await b.next('read'); // the reader's own sockets hear it too: its acknowledgement
    let listed = await roomInList(roomId, bob);
    assert.equal(listed.readSeq, sent[1].seq);
    assert.equal(listed.unread, 1);
    assert.equal(listed.lastSeq, edit.seq);
    assert.equal(listed.lastMessage.seq, sent[2].seq);
    assert.equal(listed.lastMessage.text, 'three!');
    // Every member sees where the others have read up to, in the member list.
    const members = await api(url(), 'GET', `/ws/rooms/${roomId}/members`, { token: alice.token });
    assert.equal(members.body.items.find((m: { id: number }) => m.id === bob.id).readSeq, sent[1].seq);

    // Backwards: nothing moves and nobody hears of it. Beyond the last seq: refused.
    b.send({ type: 'read', seq: sent[0].seq });
    b.send({ type: 'read', seq: edit.seq + 1 });
    assert.equal((await b.next('error', (e) => e.seq === edit.seq + 1)).code, 'SEQ_BEYOND_LAST');
    b.send({ type: 'read', seq: edit.seq });
    assert.equal((await a.next('read')).seq, edit.seq, 'the next read alice hears is the forward one');
    listed = await roomInList(roomId, bob);
    assert.equal(listed.readSeq, edit.seq);
    assert.equal(listed.unread, 0);
  });

  it('counts edits and read markers against the message rate limit', async () => {
    const limited = await startWsService({ WS_MESSAGES_PER_SECOND: '1000', WS_MESSAGE_BURST: '1000', WS_USER_MESSAGES_PER_SECOND: '1', WS_USER_MESSAGE_BURST: '3' });
    try {
      const roomId = await createRoom(limited.url, alice.token, 'limited');
      const { socket } = await join(limited.wsUrl, roomId, { token: alice.token });
      const sent = await socket.say('the only message');
      socket.send({ type: 'edit', seq: sent.seq, text: 'first edit' });
      socket.send({ type: 'read', seq: sent.seq });
      socket.send({ type: 'edit', seq: sent.seq, text: 'over the limit' });
      assert.equal((await socket.next('error')).code, 'RATE_LIMITED');
      await socket.close();
    } finally {
      await limited.close();
    }
  });
});
