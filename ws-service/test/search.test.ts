import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api, freshWord, ROOMY_SEARCH_LIMITS } from '@murmur/shared/testing';
import { createRoom, FAST_SENDING_ENV, join, startStack, startWsService, type Stack, type TestSocket, type WsUnderTest } from './helpers.js';

describe('GET /ws/search', () => {
  let stack: Stack;
  /**
   * Every search is run on each way to its matches: one walk (the default instance, on this small
   * database), a first walk of 2 messages and a second one, and the index at once.
   */
  let others: WsUnderTest[];
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;
  const open: TestSocket[] = [];

  before(async () => {
    stack = await startStack({ ...FAST_SENDING_ENV, ...ROOMY_SEARCH_LIMITS });
    others = [
      await startWsService({ ...ROOMY_SEARCH_LIMITS, WS_SEARCH_WALK_ROWS: '2', WS_SEARCH_MAX_WALK_ROWS: '1000000' }),
      await startWsService({ ...ROOMY_SEARCH_LIMITS, WS_SEARCH_WALK_ROWS: '1', WS_SEARCH_MAX_WALK_ROWS: '1' }),
    ];
    [alice, bob, carol] = (await Promise.all(['alice', 'bob', 'carol'].map((name) => registerUser(stack.auth.url, name)))) as [
      RegisteredUser,
      RegisteredUser,
      RegisteredUser,
    ];
  });
  after(async () => {
    await Promise.all(open.map((socket) => socket.close()));
    for (const other of others) await other.close();
    await stack.close();
  });

  const url = () => stack.ws.url;
  /** GET /ws/search?… as `user` from every instance; they must answer alike. */
  const get = async (user: RegisteredUser | undefined, query: string) => {
    const path = `/ws/search?${query}`;
    const options = user ? { token: user.token } : {};
    const [walked, ...rest] = await Promise.all([api(url(), 'GET', path, options), ...others.map((other) => api(other.url, 'GET', path, options))]);
    for (const other of rest) {
      assert.deepEqual({ status: other.status, body: other.body }, { status: walked.status, body: walked.body }, `every way answers ${path} alike`);
    }
    return walked;
  };
  const search = async (user: RegisteredUser, q: string, extra = '') => {
    const res = await get(user, `q=${encodeURIComponent(q)}${extra}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { items: any[]; nextCursor: string | null };
  };
  /** The texts `user` finds for `q`, newest first. */
  const texts = async (user: RegisteredUser, q: string, extra = '') => (await search(user, q, extra)).items.map((hit) => hit.message.text);
  const joined = async (roomId: number, user: RegisteredUser) => {
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: user.token });
    open.push(socket);
    return socket;
  };
  const privateRoom = async (owner: RegisteredUser, members: RegisteredUser[]) => {
    const res = await api(url(), 'POST', '/ws/createRoom', { token: owner.token, body: { name: 'private', visibility: 'private' } });
    assert.equal(res.status, 200);
    for (const member of members) {
      assert.equal((await api(url(), 'PUT', `/ws/rooms/${res.body.id}/members/${member.id}`, { token: owner.token })).status, 200);
    }
    return res.body.id as number;
  };

  it('answers 401 without a token', async () => {
    const res = await get(undefined, 'q=hello');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'AUTH_REQUIRED');
  });

  it('finds messages regardless of case and accents, in any language, each with its room and the message as history shows it', async () => {
    const roomId = await createRoom(url(), alice.token, 'Cafés');
    const a = await joined(roomId, alice);
    const tag = freshWord();
    const cafe = await a.say(`${tag} Un CAFÉ noir`);
    await a.say(`${tag} Grüße aus der Straße`);
    await a.say(`${tag} Привет, мир`);
    await a.say(`${tag} 東京 タワー`);
    const { items } = await search(bob, `${tag} cafe`);
    assert.equal(items.length, 1);
    const [history] = (await api(url(), 'GET', `/ws/rooms/${roomId}/messages?limit=50`, { token: bob.token })).body.items.filter(
      (m: any) => m.id === cafe.id,
    );
    assert.deepEqual(items[0], { room: { id: roomId, name: 'Cafés', kind: 'public' }, message: history });
    assert.deepEqual(await texts(bob, `${tag} Café`), [`${tag} Un CAFÉ noir`]);
    assert.deepEqual(await texts(bob, `${tag} STRASSE`), [`${tag} Grüße aus der Straße`]);
    assert.deepEqual(await texts(bob, `${tag} МИР`), [`${tag} Привет, мир`]);
    assert.deepEqual(await texts(bob, `${tag} 東京`), [`${tag} 東京 タワー`]);
    assert.deepEqual(await texts(bob, `${tag} "мир привет"`), [], 'a phrase matches in its order only');
    assert.deepEqual(await texts(bob, `${tag} "привет мир"`), [`${tag} Привет, мир`]);
  });

  it('lists the newest first across rooms in pages; roomId keeps to one room', async () => {
    const rooms = [await createRoom(url(), alice.token, 'one'), await createRoom(url(), alice.token, 'two')];
    const sockets = [await joined(rooms[0]!, alice), await joined(rooms[1]!, alice)];
    const tag = freshWord();
    const sent: any[] = [];
    for (let i = 0; i < 5; i += 1) sent.push(await sockets[i % 2]!.say(`${tag} number ${i}`));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: any[]; nextCursor: string | null } = await search(bob, tag, `&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((hit) => hit.message.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen, sent.map((m) => m.id).reverse());

    const first = await search(bob, tag, `&roomId=${rooms[0]}&limit=2`);
    assert.deepEqual(first.items.map((hit) => hit.message.id), [sent[4].id, sent[2].id]);
    assert.ok(first.items.every((hit) => hit.room.id === rooms[0]));
    const rest = await search(bob, tag, `&roomId=${rooms[0]}&limit=2&cursor=${first.nextCursor}`);
    assert.deepEqual(rest.items.map((hit) => hit.message.id), [sent[0].id]);
    assert.equal(rest.nextCursor, null);
  });

  it('matches an edited message by its new text only, and a deleted one never', async () => {
    const roomId = await createRoom(url(), alice.token, 'changes');
    const a = await joined(roomId, alice);
    const [before, afterwards, gone] = [freshWord(), freshWord(), freshWord()];
    const edited = await a.say(`typo ${before}`);
    a.send({ type: 'edit', seq: edited.seq, text: `fixed ${afterwards}` });
    await a.next('message_edited');
    const deleted = await a.say(`oops ${gone}`);
    a.send({ type: 'delete', seq: deleted.seq });
    await a.next('message_deleted');

    assert.deepEqual(await texts(bob, before), [], 'the old text is gone');
    const { items } = await search(bob, afterwards);
    assert.deepEqual(items.map((hit) => [hit.message.id, hit.message.text]), [[edited.id, `fixed ${afterwards}`]]);
    assert.ok(items[0].message.editedAt, 'the hit says it was edited');
    assert.deepEqual(await texts(bob, gone), []);
    assert.deepEqual(await texts(bob, 'oops'), [], 'not the edit or deletion rows either');
  });

  it("never shows a private or direct room's messages to anyone outside it, and stops when a member is removed or banned", async () => {
    const tag = freshWord();
    const secret = await privateRoom(alice, [bob]);
    await (await joined(secret, alice)).say(`${tag} in private`);
    const direct = (await api(url(), 'POST', `/ws/direct/${bob.id}`, { token: alice.token })).body.id as number;
    await (await joined(direct, alice)).say(`${tag} between two`);
    const publicRoom = await createRoom(url(), alice.token, 'open');
    await (await joined(publicRoom, alice)).say(`${tag} in public`);
    await joined(publicRoom, bob);

    assert.deepEqual(await texts(bob, tag), [`${tag} in public`, `${tag} between two`, `${tag} in private`]);
    assert.deepEqual(await texts(carol, tag), [`${tag} in public`], 'an outsider sees the public room only');
    for (const roomId of [secret, direct]) {
      const res = await get(carol, `q=${tag}&roomId=${roomId}`);
      assert.equal(res.status, 404, 'a room one may not read does not exist to them');
      assert.equal(res.body.error.code, 'ROOM_NOT_FOUND');
    }

    // Removed from the private room, banned from the public one.
    assert.equal((await api(url(), 'DELETE', `/ws/rooms/${secret}/members/${bob.id}`, { token: alice.token })).status, 204);
    assert.equal((await api(url(), 'DELETE', `/ws/rooms/${publicRoom}/members/${bob.id}`, { token: alice.token })).status, 204);
    assert.deepEqual(await texts(bob, tag), [`${tag} between two`]);
    assert.equal((await get(bob, `q=${tag}&roomId=${secret}`)).status, 404);
    const banned = await get(bob, `q=${tag}&roomId=${publicRoom}`);
    assert.equal(banned.status, 403);
    assert.equal(banned.body.error.code, 'BANNED_FROM_ROOM');
    assert.deepEqual(await texts(alice, tag), [`${tag} in public`, `${tag} between two`, `${tag} in private`]);
  });

  it('answers an empty page, never an error, for queries of odd characters', async () => {
    const roomId = await createRoom(url(), alice.token, 'odd');
    await (await joined(roomId, alice)).say(`${freshWord()} ! & | " ' ( ) : * \\ -`);
    for (const q of ['!', '&|', '"', "'", '"unclosed', "it's", '!!!', '()', ':*', '\\', '-', 'or', '<->', '😀', 'a & !']) {
      const page = await search(bob, q);
      assert.ok(Array.isArray(page.items), q);
      if (/^[^\p{L}\p{N}]+$/u.test(q)) assert.deepEqual(page, { items: [], nextCursor: null }, `${q} has no words`);
      assert.ok(Array.isArray((await search(bob, q, `&roomId=${roomId}`)).items), q);
    }
  });

  it('answers 400 naming the field for a missing, empty or over-long q, a bad cursor, limit or roomId', async () => {
    for (const query of ['', 'q=', 'q=%20', `q=${'a'.repeat(201)}`, 'q=a%00b', 'q=a&q=b']) {
      const res = await get(bob, query);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.match(res.body.error.message, /^q: /, query);
    }
    assert.equal((await get(bob, `q=${'ж'.repeat(200)}`)).status, 200);
    for (const [query, field] of [
      ['cursor=abc', 'cursor'],
      ['cursor=-1', 'cursor'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['roomId=0', 'roomId'],
      ['roomId=x', 'roomId'],
      ['roomId=99999999999', 'roomId'],
    ]) {
      const res = await get(bob, `q=a&${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.field, field, query);
    }
    assert.equal((await get(bob, 'q=a&roomId=2147483647')).status, 404, 'a room that does not exist');
  });
});
