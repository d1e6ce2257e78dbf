/**
 * Suspensions and moderators' deletions, across two instances linked through Redis: every
 * instance hears the auth event. A suspended account's sockets close with 4004 wherever they
 * are; its messages are tombstones in history, on resume and over REST, for everyone, and come
 * back when it is unsuspended. A moderator's deletion reaches every instance's sockets once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { registerUser, startAuthService, type AuthUnderTest } from '@murmur/auth-service/testing';
import { inTransaction } from '@murmur/shared/db';
import { removeMessageAsModerator } from '@murmur/shared/message-changes';
import { api, eventually } from '@murmur/shared/testing';
import { CloseCode } from '../src/ws/close-codes.js';
import {
  connect,
  createRoom,
  dropRedisKeys,
  FAST_SENDING_ENV,
  heardAuthEvent,
  join,
  refusal,
  setSuspended,
  startLinkedInstance,
  TEST_REDIS_URL,
  type TestSocket,
  type WsUnderTest,
} from './helpers.js';

describe('suspensions and moderators’ deletions on two instances', () => {
  const prefix = `murmur-test:${randomUUID()}:`;
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, ...FAST_SENDING_ENV };
  let auth: AuthUnderTest;
  let first: WsUnderTest;
  let second: WsUnderTest;

  before(async () => {
    auth = await startAuthService();
    first = await startLinkedInstance(env);
    second = await startLinkedInstance(env);
  });
  after(async () => {
    await Promise.all([first.close(), second.close()]);
    await auth.close();
    await dropRedisKeys(prefix);
  });

  const db = () => first.deps.database.db;
  const user = (prefix: string) => registerUser(auth.url, prefix);
  /** Resolves once both instances have heard the next auth event of `type`. */
  const heardByBoth = (type: Parameters<typeof heardAuthEvent>[1]) =>
    Promise.all([first, second].map((instance) => heardAuthEvent(instance.deps.verification.authEvents, type)));
  const tombstone = (seq: number) => ({ seq, deleted: true, user: null, text: null, media: [] });
  const shape = (m: any) => (m.deleted ? { seq: m.seq, deleted: m.deleted, user: m.user, text: m.text, media: m.media } : { seq: m.seq, text: m.text });

  it('closes every socket of a suspended account with 4004 on the other instance, and refuses it a new one', async () => {
    const [bob, carol] = [await user('suspended'), await user('other')];
    const roomId = await createRoom(first.url, carol.token);
    const { socket: joined } = await join(second.wsUrl, roomId, { token: bob.token });
    const stream = await connect(second.wsUrl, '/ws/stream', { token: bob.token });
    await stream.next('ready');
    const { socket: watcher } = await join(second.wsUrl, roomId, { token: carol.token });

    await setSuspended(db(), bob.id, true);
    const closes = await Promise.all([joined.closed, stream.closed]);
    assert.deepEqual(
      closes.map((closed) => closed.code),
      [CloseCode.ACCOUNT_SUSPENDED, CloseCode.ACCOUNT_SUSPENDED],
    );
    assert.equal(CloseCode.ACCOUNT_SUSPENDED, 4004);
    assert.equal((await watcher.next('participant_left')).user.id, bob.id);
    const refused = await refusal(first.wsUrl, `/ws/joinRoom/${roomId}`, { token: bob.token });
    assert.equal(refused.status, 401);
    await watcher.close();
  });

  it("shows a suspended account's messages as tombstones in history, on resume and over REST, for everyone, and restores them when it is unsuspended", async () => {
    const [bob, carol] = [await user('suspended'), await user('other')];
    const roomId = await createRoom(first.url, carol.token);
    const { socket: b } = await join(second.wsUrl, roomId, { token: bob.token });
    const { socket: c } = await join(first.wsUrl, roomId, { token: carol.token });
    const one = await b.say('one');
    const two = await b.say('two');
    b.send({ type: 'edit', seq: two.seq, text: 'two, edited' });
    await c.next('message_edited');
    const kept = await c.say('still here');
    const want = [tombstone(one.seq), tombstone(two.seq), { seq: kept.seq, text: 'still here' }];
    const restored = [
      { seq: one.seq, text: 'one' },
      { seq: two.seq, text: 'two, edited' },
      { seq: kept.seq, text: 'still here' },
    ];

    const suspended = heardByBoth('user_suspended');
    await setSuspended(db(), bob.id, true);
    await suspended;
    // The first instance serves this from memory (carol holds the room there); the second reads
    // the database (no one holds the room there any more).
    for (const instance of [first, second]) {
      const { socket, history } = await join(instance.wsUrl, roomId, { token: carol.token });
      assert.deepEqual(history.messages.map(shape), want);
      const resumed = await connect(instance.wsUrl, `/ws/joinRoom/${roomId}?since=0`, { token: carol.token });
      await resumed.next('message', (e) => e.seq === kept.seq);
      const edit = await resumed.next('message_edited');
      assert.deepEqual([edit.text, edit.user], [null, null]);
      assert.deepEqual(resumed.take('message').map(shape), want.slice(0, 2));
      await Promise.all([socket.close(), resumed.close()]);
    }
    const page = await api(first.url, 'GET', `/ws/rooms/${roomId}/messages`, { token: carol.token });
    assert.deepEqual(page.body.items.map(shape), [...want].reverse());

    const unsuspended = heardByBoth('user_unsuspended');
    await setSuspended(db(), bob.id, false);
    await unsuspended;
    // The first instance reads the room again in the background: nothing to wait for but it.
    await eventually(async () => {
      const { socket, history } = await join(first.wsUrl, roomId, { token: carol.token });
      await socket.close();
      assert.deepEqual(history.messages.map(shape), restored);
    });
    const { socket: fresh, history } = await join(second.wsUrl, roomId, { token: carol.token });
    assert.deepEqual(history.messages.map(shape), restored);
    await Promise.all([c.close(), fresh.close()]);
  });

  it("delivers a moderator's deletion to every instance's sockets once, as a member's deletion, and replays it on resume", async () => {
    const [alice, bob, moderator] = [await user('member'), await user('author'), await user('moderator')];
    const roomId = await createRoom(first.url, alice.token);
    const { socket: a } = await join(first.wsUrl, roomId, { token: alice.token });
    const { socket: b } = await join(second.wsUrl, roomId, { token: bob.token });
    const doomed = await b.say('reported');
    await a.next('message', (e) => e.seq === doomed.seq);

    const removed = await inTransaction(first.deps.database.pool, (tx) =>
      removeMessageAsModerator(tx, { roomId, seq: doomed.seq, moderator: { id: moderator.id, username: moderator.username } }),
    );
    assert.ok(removed);
    const expected = { type: 'message_deleted', seq: removed.seq, roomId, target: doomed.seq, user: { id: moderator.id, username: moderator.username } };
    const deleted = await Promise.all([a.next('message_deleted'), b.next('message_deleted')]);
    assert.deepEqual(deleted, [expected, expected]);
    // Once: the next message follows it, with no second copy between.
    const next = await a.say('after');
    await b.next('message', (e) => e.seq === next.seq);
    assert.deepEqual([a.take('message_deleted'), b.take('message_deleted')], [[], []]);

    for (const instance of [first, second]) {
      const { socket, history } = await join(instance.wsUrl, roomId, { token: alice.token });
      assert.deepEqual(history.messages.map(shape), [tombstone(doomed.seq), { seq: next.seq, text: 'after' }]);
      const resumed = await connect(instance.wsUrl, `/ws/joinRoom/${roomId}?since=${doomed.seq}`, { token: alice.token });
      assert.deepEqual(await resumed.next('message_deleted'), expected);
      await Promise.all([socket.close(), resumed.close()]);
    }
    await Promise.all([a.close(), b.close()]);
  });

  it('the resume of a socket that missed the deletion gets it', async () => {
    const [alice, bob, moderator] = [await user('member'), await user('author'), await user('moderator')];
    const roomId = await createRoom(first.url, alice.token);
    const { socket: b } = await join(second.wsUrl, roomId, { token: bob.token });
    const doomed = await b.say('reported');
    await b.close();
    await inTransaction(first.deps.database.pool, (tx) =>
      removeMessageAsModerator(tx, { roomId, seq: doomed.seq, moderator: { id: moderator.id, username: moderator.username } }),
    );
    const resumed: TestSocket = await connect(second.wsUrl, `/ws/joinRoom/${roomId}?since=${doomed.seq}`, { token: alice.token });
    assert.equal((await resumed.next('message_deleted')).target, doomed.seq);
    await resumed.close();
  });
});
