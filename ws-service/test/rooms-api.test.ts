import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api } from '@murmur/shared/testing';
import { createRoom, join, listedRoom, refusal, startStack, type Stack, FAST_SENDING_ENV } from './helpers.js';

describe('rooms REST API', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  before(async () => {
    stack = await startStack(FAST_SENDING_ENV);
    alice = await registerUser(stack.auth.url, 'alice');
    bob = await registerUser(stack.auth.url, 'bob');
  });
  after(() => stack.close());

  const url = () => stack.ws.url;

  it('answers GET / with the service banner', async () => {
    const res = await api(url(), 'GET', '/');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { service: 'ws-service', status: 'ok' });
  });

  it('creates a room with a trimmed name and a server-chosen id', async () => {
    const res = await api(url(), 'POST', '/ws/createRoom', { token: alice.token, body: { name: '  general  ', id: 999 } });
    assert.equal(res.status, 200);
    assert.equal(typeof res.body.id, 'number');
    assert.notEqual(res.body.id, 999);
    assert.equal(res.body.name, 'general');
    assert.equal(res.body.createdBy, alice.id);
    assert.equal(res.body.kind, 'public');
    assert.ok(!Number.isNaN(Date.parse(res.body.createdAt)));
  });

  it('refuses a blank, missing or 65-character name with 400 naming the field', async () => {
    for (const body of [{ name: '   ' }, {}, { name: 'x'.repeat(65) }, { name: 42 }]) {
      const res = await api(url(), 'POST', '/ws/createRoom', { token: alice.token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.equal(res.body.error.field, 'name');
    }
    const longest = await api(url(), 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'x'.repeat(64) } });
    assert.equal(longest.status, 200);
  });

  it('answers 401 without a token on every route', async () => {
    for (const [method, path] of [
      ['POST', '/ws/createRoom'],
      ['GET', '/ws/getRooms'],
      ['GET', '/ws/getClients/1'],
      ['GET', '/ws/rooms/1/messages'],
    ] as const) {
      const res = await api(url(), method, path, method === 'POST' ? { body: { name: 'x' } } : {});
      assert.equal(res.status, 401, path);
      assert.equal(res.body.error.code, 'AUTH_REQUIRED');
    }
  });

  it('pages getRooms in id order: at most `limit` rooms, 20 by default, the next page from nextCursor', async () => {
    const ids = [await createRoom(url(), alice.token, 'p1'), await createRoom(url(), alice.token, 'p2'), await createRoom(url(), alice.token, 'p3')];
    const first = await api(url(), 'GET', `/ws/getRooms?cursor=${ids[0]! - 1}&limit=2`, { token: bob.token });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.items.map((r: any) => r.id), ids.slice(0, 2));
    assert.equal(first.body.nextCursor, String(ids[1]));
    const second = await api(url(), 'GET', `/ws/getRooms?cursor=${first.body.nextCursor}&limit=2`, { token: bob.token });
    assert.equal(second.body.items[0].id, ids[2]);
    // 101 more rooms (written directly: the API would count them against a creation limit).
    const { rows } = await stack.ws.deps.database.pool.query<{ id: string }>(
      `INSERT INTO rooms (name, created_by) SELECT 'bulk ' || g, $1 FROM generate_series(1, 101) g RETURNING id`,
      [alice.id],
    );
    const firstBulk = Math.min(...rows.map((r) => Number(r.id)));
    const page = await api(url(), 'GET', `/ws/getRooms?cursor=${firstBulk - 1}`, { token: bob.token });
    assert.equal(page.body.items.length, 20, 'a page holds 20 rooms by default');
    const full = await api(url(), 'GET', `/ws/getRooms?cursor=${firstBulk - 1}&limit=100`, { token: bob.token });
    assert.equal(full.body.items.length, 100, 'and at most 100');
    assert.equal(full.body.nextCursor, String(firstBulk + 99));
    for (const bad of ['limit=0', 'limit=101', 'limit=x', 'cursor=-1', 'cursor=x']) {
      const res = await api(url(), 'GET', `/ws/getRooms?${bad}`, { token: bob.token });
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.error.field, bad.split('=')[0], bad);
    }
  });

  it('GET /ws/rooms/:roomId shows one room as the room list does, and a private one only to its members', async () => {
    const roomId = await createRoom(url(), alice.token, 'single');
    const seen = await api(url(), 'GET', `/ws/rooms/${roomId}`, { token: bob.token });
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body, await listedRoom(url(), bob.token, roomId));
    assert.equal(seen.body.name, 'single');
    const hidden = (await api(url(), 'POST', '/ws/createRoom', { token: alice.token, body: { name: 'hidden', visibility: 'private' } })).body.id as number;
    const outsider = await api(url(), 'GET', `/ws/rooms/${hidden}`, { token: bob.token });
    assert.deepEqual([outsider.status, outsider.body.error.code], [404, 'ROOM_NOT_FOUND']);
    const owner = await api(url(), 'GET', `/ws/rooms/${hidden}`, { token: alice.token });
    assert.deepEqual([owner.status, owner.body.kind, owner.body.readSeq], [200, 'private', 0]);
  });

  it('lists rooms with the number of distinct users connected, and each user once in getClients', async () => {
    const roomId = await createRoom(url(), alice.token, 'busy');
    const quiet = await createRoom(url(), alice.token, 'quiet');
    const sockets = [
      (await join(stack.ws.wsUrl, roomId, { token: alice.token })).socket,
      (await join(stack.ws.wsUrl, roomId, { token: alice.token })).socket,
      (await join(stack.ws.wsUrl, roomId, { token: bob.token })).socket,
    ];
    assert.deepEqual(
      await listedRoom(url(), bob.token, roomId),
      // bob joined: a member, with a read marker.
      { id: roomId, name: 'busy', kind: 'public', clients: 2, lastSeq: 0, readSeq: 0, unread: 0, lastMessage: null },
    );
    assert.deepEqual(
      await listedRoom(url(), bob.token, quiet),
      // bob never joined: no marker and no unread count.
      { id: quiet, name: 'quiet', kind: 'public', clients: 0, lastSeq: 0, readSeq: null, unread: null, lastMessage: null },
    );
    const clients = await api(url(), 'GET', `/ws/getClients/${roomId}`, { token: bob.token });
    assert.equal(clients.status, 200);
    assert.deepEqual(
      [...clients.body].sort((x: any, y: any) => x.id - y.id),
      [
        { id: alice.id, username: alice.username },
        { id: bob.id, username: bob.username },
      ].sort((x, y) => x.id - y.id),
    );
    await Promise.all(sockets.map((s) => s.close()));
    const empty = await api(url(), 'GET', `/ws/getClients/${roomId}`, { token: bob.token });
    assert.deepEqual(empty.body, []);
  });

  it('answers getClients with 404 for an unknown room and 400 for an id that is no room id', async () => {
    const unknown = await api(url(), 'GET', '/ws/getClients/2000000000', { token: alice.token });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'ROOM_NOT_FOUND');
    for (const bad of ['abc', '1.5', '-1', '0', '99999999999']) {
      const res = await api(url(), 'GET', `/ws/getClients/${bad}`, { token: alice.token });
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.error.field, 'roomId');
    }
  });

  it('pages backwards through history, newest first, with a cursor', async () => {
    const roomId = await createRoom(url(), alice.token, 'paged');
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    const seqs: number[] = [];
    for (let i = 0; i < 7; i += 1) seqs.push((await socket.say(`p${i}`)).seq);
    await socket.close();
    const newestFirst = [...seqs].reverse();

    const first = await api(url(), 'GET', `/ws/rooms/${roomId}/messages?limit=3`, { token: bob.token });
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.items.map((m: any) => m.seq),
      newestFirst.slice(0, 3),
    );
    assert.equal(first.body.items[0].text, 'p6');
    assert.deepEqual(first.body.items[0].user, { id: alice.id, username: alice.username });
    assert.equal(first.body.nextCursor, String(newestFirst[2]));
    const second = await api(url(), 'GET', `/ws/rooms/${roomId}/messages?limit=3&cursor=${first.body.nextCursor}`, { token: bob.token });
    assert.deepEqual(
      second.body.items.map((m: any) => m.seq),
      newestFirst.slice(3, 6),
    );
    const last = await api(url(), 'GET', `/ws/rooms/${roomId}/messages?limit=3&cursor=${second.body.nextCursor}`, { token: bob.token });
    assert.deepEqual(
      last.body.items.map((m: any) => m.seq),
      newestFirst.slice(6),
    );
    assert.equal(last.body.nextCursor, null);
    const all = await api(url(), 'GET', `/ws/rooms/${roomId}/messages`, { token: bob.token });
    assert.equal(all.body.items.length, 7);
    assert.equal(all.body.nextCursor, null);
  });

  it('validates the history query and answers 404 for an unknown room', async () => {
    const roomId = await createRoom(url(), alice.token);
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=x', 'cursor'],
    ]) {
      const res = await api(url(), 'GET', `/ws/rooms/${roomId}/messages?${query}`, { token: alice.token });
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.field, field);
    }
    assert.equal((await api(url(), 'GET', `/ws/rooms/${roomId}/messages?limit=100`, { token: alice.token })).status, 200);
    assert.equal((await api(url(), 'GET', '/ws/rooms/2000000000/messages', { token: alice.token })).status, 404);
  });

  it('answers ids beyond their column with 400 and cursors beyond any row with an empty page, never 500', async () => {
    const huge = '99999999999';
    for (const path of [`/ws/getClients/${huge}`, `/ws/rooms/${huge}/messages`, `/ws/rooms/${huge}/members`]) {
      const res = await api(url(), 'GET', path, { token: bob.token });
      assert.deepEqual([res.status, res.body.error.field, res.body.error.message], [400, 'roomId', 'roomId: must be a positive integer id'], path);
    }
    assert.equal((await api(url(), 'POST', `/ws/direct/${huge}`, { token: bob.token })).status, 400);
    const rooms = await api(url(), 'GET', `/ws/getRooms?cursor=${huge}`, { token: bob.token });
    assert.deepEqual([rooms.status, rooms.body], [200, { items: [], nextCursor: null }]);
    const roomId = await createRoom(url(), alice.token, 'huge ids');
    const members = await api(url(), 'GET', `/ws/rooms/${roomId}/members?cursor=${huge}`, { token: alice.token });
    assert.deepEqual([members.status, members.body], [200, { items: [], nextCursor: null }]);
    // Joined together: only the bad one is refused.
    const [refused, ok] = await Promise.all([refusal(stack.ws.wsUrl, `/ws/joinRoom/${huge}`, { token: bob.token }), join(stack.ws.wsUrl, roomId, { token: bob.token })]);
    assert.equal(refused.status, 400);
    await ok.socket.close();
  });

  it('answers 426 to a plain GET of the join URL', async () => {
    const roomId = await createRoom(url(), alice.token);
    const res = await api(url(), 'GET', `/ws/joinRoom/${roomId}`, { token: alice.token });
    assert.equal(res.status, 426);
    assert.equal(res.body.error.code, 'UPGRADE_REQUIRED');
  });
});
