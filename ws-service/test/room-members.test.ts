import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api, within, type ApiResponse } from '@murmur/shared/testing';
import { CloseCode } from '../src/ws/close-codes.js';
import { FAST_SENDING_ENV, join, listedRoom, refusal, startStack, startWsService, type Stack, type TestSocket } from './helpers.js';

describe('room kinds, members and roles', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack(FAST_SENDING_ENV);
  });
  after(() => stack.close());

  const url = () => stack.ws.url;

  /** Fresh users, one per prefix. */
  const users = <P extends string[]>(...prefixes: P) =>
    Promise.all(prefixes.map((p) => registerUser(stack.auth.url, p))) as Promise<{ [K in keyof P]: RegisteredUser }>;

  async function room(owner: RegisteredUser, visibility?: 'public' | 'private'): Promise<number> {
    const res = await api(url(), 'POST', '/ws/createRoom', { token: owner.token, body: { name: 'r', ...(visibility ? { visibility } : {}) } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.id as number;
  }

  const put = (actor: RegisteredUser, roomId: number, userId: number, role?: 'moderator' | 'member') =>
    api(url(), 'PUT', `/ws/rooms/${roomId}/members/${userId}`, { token: actor.token, ...(role ? { body: { role } } : {}) });
  const remove = (actor: RegisteredUser, roomId: number, userId: number) =>
    api(url(), 'DELETE', `/ws/rooms/${roomId}/members/${userId}`, { token: actor.token });

  /** The members of the room as [username, role] pairs, in user id order. */
  async function roles(viewer: RegisteredUser, roomId: number): Promise<Array<[string, string]>> {
    const res = await api(url(), 'GET', `/ws/rooms/${roomId}/members`, { token: viewer.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.items.map((m: any) => [m.username, m.role]);
  }

  /** What `roles` answers for these members: [username, role] pairs in user id order. */
  const inIdOrder = (...members: Array<[RegisteredUser, string]>) =>
    members.sort(([x], [y]) => x.id - y.id).map(([user, role]): [string, string] => [user.username, role]);

  /** The room as it appears in the viewer's getRooms, or undefined when it does not. */
  const listed = (viewer: RegisteredUser, roomId: number) => listedRoom(url(), viewer.token, roomId);

  /** The socket's close, which must come within a second. */
  const closedSoon = (socket: TestSocket) => within(socket.closed, 1_000, "the close of the removed member's socket");

  function assertError(res: ApiResponse, status: number, code: string, what = code): void {
    assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, code, what);
  }

  /** Every way to reach a room answers 404 ROOM_NOT_FOUND to `outsider`, and it is not in their list. */
  async function assertHidden(outsider: RegisteredUser, roomId: number, someMemberId: number): Promise<void> {
    for (const [method, path] of [
      ['GET', `/ws/getClients/${roomId}`],
      ['GET', `/ws/rooms/${roomId}/messages`],
      ['GET', `/ws/rooms/${roomId}/members`],
      ['PUT', `/ws/rooms/${roomId}/members/${outsider.id}`],
      ['DELETE', `/ws/rooms/${roomId}/members/${someMemberId}`],
    ] as const) {
      assertError(await api(url(), method, path, { token: outsider.token }), 404, 'ROOM_NOT_FOUND', `${method} ${path}`);
    }
    const refused = await refusal(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, { token: outsider.token });
    assert.equal(refused.status, 404);
    assert.equal(refused.body.error.code, 'ROOM_NOT_FOUND');
    assert.equal(await listed(outsider, roomId), undefined, 'absent from getRooms');
  }

  it('makes the creator the owner of a public or private room, and refuses an unknown visibility', async () => {
    const [alice] = await users('alice');
    const res = await api(url(), 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'secret', visibility: 'private' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.kind, 'private');
    assert.equal(res.body.name, 'secret');
    assert.equal(res.body.createdBy, alice.id);
    assert.deepEqual(await roles(alice, res.body.id), [[alice.username, 'owner']]);
    const open = await api(url(), 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'open' } });
    assert.equal(open.body.kind, 'public', 'public by default');
    assert.deepEqual(await roles(alice, open.body.id), [[alice.username, 'owner']]);
    for (const visibility of ['direct', 'secret', 1]) {
      const bad = await api(url(), 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'x', visibility } });
      assertError(bad, 400, 'VALIDATION_FAILED', String(visibility));
      assert.equal(bad.body.error.field, 'visibility');
    }
  });

  it('a direct room is the same from both sides and invisible to a third user', async () => {
    const [alice, bob, carol] = await users('alice', 'bob', 'carol');
    const opened = await api(url(), 'POST', `/ws/direct/${bob.id}`, { token: alice.token });
    assert.equal(opened.status, 200);
    assert.equal(opened.body.kind, 'direct');
    const roomId = opened.body.id as number;
    for (const [from, to] of [[alice, bob], [bob, alice], [alice, bob]] as const) {
      const again = await api(url(), 'POST', `/ws/direct/${to.id}`, { token: from.token });
      assert.equal(again.status, 200);
      assert.equal(again.body.id, roomId, `${from.username} to ${to.username}`);
    }
    assert.deepEqual(await roles(bob, roomId), inIdOrder([alice, 'member'], [bob, 'member']));
    assert.equal((await listed(alice, roomId))?.kind, 'direct');
    assert.equal((await listed(bob, roomId))?.kind, 'direct');
    await assertHidden(carol, roomId, alice.id);
    // Its members are fixed.
    assertError(await put(alice, roomId, carol.id), 400, 'DIRECT_ROOM');
    assertError(await remove(alice, roomId, bob.id), 400, 'DIRECT_ROOM');
    assertError(await remove(alice, roomId, alice.id), 400, 'DIRECT_ROOM');

    assertError(await api(url(), 'POST', `/ws/direct/${alice.id}`, { token: alice.token }), 400, 'DIRECT_TO_SELF');
    assertError(await api(url(), 'POST', '/ws/direct/2000000000', { token: alice.token }), 404, 'USER_NOT_FOUND');
    for (const bad of ['abc', '1.5', '-1']) {
      assert.equal((await api(url(), 'POST', `/ws/direct/${bad}`, { token: alice.token })).status, 400, bad);
    }
  });

  it('opening a direct room from both sides at once makes one room', async () => {
    const pairs = await Promise.all([1, 2, 3].map(() => users('left', 'right')));
    for (const [left, right] of pairs) {
      const [a, b] = await Promise.all([
        api(url(), 'POST', `/ws/direct/${right.id}`, { token: left.token }),
        api(url(), 'POST', `/ws/direct/${left.id}`, { token: right.token }),
      ]);
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.equal(b.status, 200, JSON.stringify(b.body));
      assert.equal(a.body.id, b.body.id);
      const { rows } = await stack.ws.deps.database.pool.query(`SELECT id FROM rooms WHERE kind = 'direct' AND created_by = ANY($1::int[])`, [
        [left.id, right.id],
      ]);
      assert.deepEqual(rows.map((r) => Number(r.id)), [a.body.id], 'no second room, not even an empty one');
    }
  });

  it('a private room does not exist for non-members until they are added; then they see and join it', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const roomId = await room(alice, 'private');
    await assertHidden(bob, roomId, alice.id);

    const added = await put(alice, roomId, bob.id);
    assert.equal(added.status, 200);
    assert.deepEqual(added.body, { id: bob.id, username: bob.username, role: 'member', readSeq: 0 });
    const again = await put(alice, roomId, bob.id);
    assert.deepEqual(again.body, added.body, 'adding twice changes nothing');
    assert.deepEqual(await roles(bob, roomId), inIdOrder([alice, 'owner'], [bob, 'member']));
    assert.deepEqual(await listed(bob, roomId), {
      id: roomId, name: 'r', kind: 'private', clients: 0, lastSeq: 0, readSeq: 0, unread: 0, lastMessage: null,
    });
    const { socket, history } = await join(stack.ws.wsUrl, roomId, { token: bob.token });
    assert.deepEqual(history.messages, []);
    await socket.close();
    assertError(await put(alice, roomId, 2_000_000_000), 404, 'USER_NOT_FOUND');
  });

  it('getRooms counts what a member has not read and shows the newest message', async () => {
    const [alice, bob, carol] = await users('alice', 'bob', 'carol');
    const roomId = await room(alice);
    assert.equal((await put(alice, roomId, bob.id)).status, 200);
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const seqs: number[] = [];
    for (const text of ['one', 'two', 'three']) seqs.push((await socket.say(text)).seq);
    await socket.close();

    const forBob = await listed(bob, roomId);
    assert.equal(forBob.lastSeq, seqs[2]);
    assert.equal(forBob.readSeq, 0);
    assert.equal(forBob.unread, 3);
    assert.equal(forBob.lastMessage.seq, seqs[2]);
    assert.equal(forBob.lastMessage.text, 'three');
    assert.equal(forBob.lastMessage.roomId, roomId);
    assert.deepEqual(forBob.lastMessage.user, { id: alice.id, username: alice.username });
    const page = await api(url(), 'GET', `/ws/rooms/${roomId}/messages?limit=1`, { token: bob.token });
    assert.deepEqual(forBob.lastMessage, page.body.items[0], 'the newest message, as history shows it');

    const forCarol = await listed(carol, roomId);
    assert.equal(forCarol.readSeq, null, 'carol is not a member');
    assert.equal(forCarol.unread, null);
    assert.equal(forCarol.lastMessage.text, 'three');

    const reader = (await join(stack.ws.wsUrl, roomId, { token: bob.token })).socket;
    reader.send({ type: 'read', seq: seqs[0] });
    await reader.next('read', (e) => e.user.id === bob.id);
    await reader.close();
    const afterReading = await listed(bob, roomId);
    assert.equal(afterReading.readSeq, seqs[0]);
    assert.equal(afterReading.unread, 2);
  });

  it('pages members in user id order with a cursor', async () => {
    const [owner, ...others] = await users('owner', 'm1', 'm2', 'm3');
    const roomId = await room(owner, 'private');
    for (const user of others) assert.equal((await put(owner, roomId, user.id)).status, 200);
    const ids = [owner, ...others].map((u) => u.id).sort((x, y) => x - y);

    const first = await api(url(), 'GET', `/ws/rooms/${roomId}/members?limit=3`, { token: owner.token });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.items.map((m: any) => m.id), ids.slice(0, 3));
    assert.equal(first.body.nextCursor, String(ids[2]));
    const second = await api(url(), 'GET', `/ws/rooms/${roomId}/members?limit=3&cursor=${first.body.nextCursor}`, { token: owner.token });
    assert.deepEqual(second.body.items.map((m: any) => m.id), ids.slice(3));
    assert.equal(second.body.nextCursor, null);
    const whole = await api(url(), 'GET', `/ws/rooms/${roomId}/members?limit=4`, { token: owner.token });
    assert.equal(whole.body.items.length, 4);
    assert.equal(whole.body.nextCursor, null, 'no next page after the last member');
    for (const bad of ['limit=0', 'limit=101', 'cursor=x']) {
      assert.equal((await api(url(), 'GET', `/ws/rooms/${roomId}/members?${bad}`, { token: owner.token })).status, 400, bad);
    }
  });

  it('only the owner and moderators add members, and only the owner makes or unmakes moderators', async () => {
    const [alice, bob, carol, dave] = await users('alice', 'bob', 'carol', 'dave');
    const roomId = await room(alice, 'private');
    assert.equal((await put(alice, roomId, bob.id)).status, 200);
    assertError(await put(bob, roomId, carol.id), 403, 'NOT_ROOM_MODERATOR');

    assert.deepEqual((await put(alice, roomId, bob.id, 'moderator')).body, { id: bob.id, username: bob.username, role: 'moderator', readSeq: 0 });
    assert.equal((await put(alice, roomId, bob.id, 'moderator')).body.role, 'moderator', 'idempotent');
    assert.equal((await put(alice, roomId, bob.id)).body.role, 'moderator', 'adding again keeps the role');
    assert.deepEqual((await put(bob, roomId, carol.id)).body, { id: carol.id, username: carol.username, role: 'member', readSeq: 0 });
    assertError(await put(bob, roomId, dave.id, 'moderator'), 403, 'NOT_ROOM_OWNER');
    assertError(await put(bob, roomId, carol.id, 'member'), 403, 'NOT_ROOM_OWNER');
    assertError(await put(alice, roomId, alice.id, 'member'), 400, 'OWNER_ROLE_FIXED');
    assertError(await put(alice, roomId, alice.id, 'moderator'), 400, 'OWNER_ROLE_FIXED');
    const badRole = await api(url(), 'PUT', `/ws/rooms/${roomId}/members/${dave.id}`, { token: alice.token, body: { role: 'owner' } });
    assert.equal(badRole.status, 400);

    assert.equal((await put(alice, roomId, bob.id, 'member')).body.role, 'member');
    assertError(await put(bob, roomId, dave.id), 403, 'NOT_ROOM_MODERATOR', 'no longer a moderator');
    assert.deepEqual((await roles(alice, roomId)).map(([, role]) => role).sort(), ['member', 'member', 'owner']);
  });

  it('moderators remove members, only the owner removes moderators, nobody removes the owner, anyone leaves', async () => {
    const [alice, bob, eve, carol, dave] = await users('alice', 'bob', 'eve', 'carol', 'dave');
    const roomId = await room(alice, 'private');
    for (const [user, role] of [[bob, 'moderator'], [eve, 'moderator'], [carol, undefined], [dave, undefined]] as const) {
      assert.equal((await put(alice, roomId, user.id, role)).status, 200);
    }
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: dave.token });

    assertError(await remove(carol, roomId, dave.id), 403, 'NOT_ROOM_MODERATOR');
    assertError(await remove(bob, roomId, eve.id), 403, 'NOT_ROOM_OWNER');
    assertError(await remove(bob, roomId, alice.id), 403, 'OWNER_CANNOT_BE_REMOVED');
    assertError(await remove(eve, roomId, alice.id), 403, 'OWNER_CANNOT_BE_REMOVED');

    assert.equal((await remove(bob, roomId, dave.id)).status, 204);
    assert.equal((await closedSoon(socket)).code, CloseCode.REMOVED_FROM_ROOM);
    assert.equal((await remove(carol, roomId, carol.id)).status, 204, 'carol leaves');
    assert.equal((await remove(alice, roomId, eve.id)).status, 204, 'the owner removes a moderator');
    assert.deepEqual(
      (await roles(alice, roomId)).map(([name]) => name).sort(),
      [alice.username, bob.username].sort(),
    );
    for (const gone of [dave, carol, eve]) {
      assertError(await api(url(), 'GET', `/ws/rooms/${roomId}/messages`, { token: gone.token }), 404, 'ROOM_NOT_FOUND', gone.username);
      assert.equal((await refusal(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, { token: gone.token })).status, 404, gone.username);
    }
  });

  it('a removal from a public room is a ban until the owner adds the user back; leaving is not', async () => {
    const [alice, bob, carol] = await users('alice', 'bob', 'carol');
    const roomId = await room(alice);
    const bobs = (await join(stack.ws.wsUrl, roomId, { token: bob.token })).socket;
    const elsewhere = (await join(stack.ws.wsUrl, await room(alice), { token: bob.token })).socket;

    assert.equal((await remove(alice, roomId, bob.id)).status, 204);
    assert.equal((await closedSoon(bobs)).code, CloseCode.REMOVED_FROM_ROOM);
    assert.ok((await elsewhere.say('still here')).seq > 0, 'his socket in another room stays open');
    await elsewhere.close();
    const refused = await refusal(stack.ws.wsUrl, `/ws/joinRoom/${roomId}`, { token: bob.token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'BANNED_FROM_ROOM');
    assertError(await api(url(), 'GET', `/ws/rooms/${roomId}/messages`, { token: bob.token }), 403, 'BANNED_FROM_ROOM');
    assert.equal(await listed(bob, roomId), undefined);
    assert.ok(await listed(carol, roomId), 'still listed for everyone else');

    assert.equal((await put(alice, roomId, bob.id)).status, 200);
    assert.ok(await listed(bob, roomId));
    await (await join(stack.ws.wsUrl, roomId, { token: bob.token })).socket.close();

    await (await join(stack.ws.wsUrl, roomId, { token: carol.token })).socket.close();
    assert.equal((await remove(carol, roomId, carol.id)).status, 204);
    assert.equal((await listed(carol, roomId))?.readSeq, null, 'carol left: no longer a member, but not banned');
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: carol.token });
    await socket.close();
  });

  it('a removal made through one instance closes the socket on another within a second', async () => {
    const other = await startWsService(FAST_SENDING_ENV);
    try {
      const [alice, bob] = await users('alice', 'bob');
      const roomId = await room(alice, 'private');
      assert.equal((await put(alice, roomId, bob.id)).status, 200);
      const { socket } = await join(other.wsUrl, roomId, { token: bob.token });
      assert.equal((await remove(alice, roomId, bob.id)).status, 204);
      assert.equal((await closedSoon(socket)).code, CloseCode.REMOVED_FROM_ROOM);
    } finally {
      await other.close();
    }
  });

  it("passes ownership to the oldest moderator, else the oldest member, when the owner's account is deleted", async () => {
    const [alice, bob, carol, dave] = await users('alice', 'bob', 'carol', 'dave');
    const withModerators = await room(alice, 'private');
    for (const [user, role] of [[bob, undefined], [carol, 'moderator'], [dave, 'moderator']] as const) {
      assert.equal((await put(alice, withModerators, user.id, role)).status, 200);
    }
    const membersOnly = await room(alice);
    for (const user of [dave, bob]) assert.equal((await put(alice, membersOnly, user.id)).status, 200);

    // What user-service does.
    await stack.ws.deps.database.pool.query('DELETE FROM users WHERE id = $1', [alice.id]);
    const roleOf = async (roomId: number) => new Map(await roles(bob, roomId));
    const first = await roleOf(withModerators);
    assert.deepEqual([first.get(carol.username), first.get(dave.username), first.get(bob.username)], ['owner', 'moderator', 'member']);
    assert.equal(first.size, 3);
    const second = await roleOf(membersOnly);
    assert.deepEqual([second.get(dave.username), second.get(bob.username)], ['owner', 'member']);
    // The new owner has the owner's powers.
    assert.equal((await put(carol, withModerators, bob.id, 'moderator')).status, 200);
  });

  it('passes ownership the same way when the owner leaves', async () => {
    const [alice, bob, carol] = await users('alice', 'bob', 'carol');
    const roomId = await room(alice, 'private');
    assert.equal((await put(alice, roomId, bob.id)).status, 200);
    assert.equal((await put(alice, roomId, carol.id, 'moderator')).status, 200);

    assert.equal((await remove(alice, roomId, alice.id)).status, 204);
    assert.deepEqual(new Map(await roles(bob, roomId)), new Map([[bob.username, 'member'], [carol.username, 'owner']]));
    assertError(await api(url(), 'GET', `/ws/rooms/${roomId}/members`, { token: alice.token }), 404, 'ROOM_NOT_FOUND');
    assert.equal((await remove(carol, roomId, carol.id)).status, 204);
    assert.deepEqual(await roles(bob, roomId), [[bob.username, 'owner']]);
  });
});
