import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api, freshWord, ROOMY_SEARCH_LIMITS } from '@murmur/shared/testing';
import { createRoom, FAST_SENDING_ENV, join, startStack, startWsService, type Stack, type TestSocket, type WsUnderTest } from './helpers.js';

/** The instance's search deadline: long enough to hold its pool through a whole conversation. */
const SEARCH_TIMEOUT_MS = 3_000;
const SEARCH_POOL_SIZE = 2;

describe('message search beside chat', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  const open: TestSocket[] = [];
  const others: WsUnderTest[] = [];
  before(async () => {
    stack = await startStack({
      ...FAST_SENDING_ENV,
      ...ROOMY_SEARCH_LIMITS,
      SEARCH_POOL_SIZE: String(SEARCH_POOL_SIZE),
      SEARCH_QUEUE_TIMEOUT_MS: '50',
      SEARCH_TIMEOUT_MS: String(SEARCH_TIMEOUT_MS),
    });
    [alice, bob] = await Promise.all([registerUser(stack.auth.url, 'alice'), registerUser(stack.auth.url, 'bob')]);
  });
  after(async () => {
    await Promise.all(open.map((socket) => socket.close()));
    for (const other of others) await other.close();
    await stack.close();
  });

  const joined = async (roomId: number, user: RegisteredUser) => {
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: user.token });
    open.push(socket);
    return socket;
  };
  /** GET /ws/search as `user` on `url`, with how long the answer took. */
  const search = async (user: RegisteredUser, q: string, url = stack.ws.url) => {
    const started = performance.now();
    const res = await api(url, 'GET', `/ws/search?q=${encodeURIComponent(q)}`, { token: user.token });
    return { res, ms: performance.now() - started };
  };
  const letters = [...'abcdefghijklmnopqrstuvwxyz'];

  it('stores, acknowledges and delivers every message while the search pool is held and searches pile up', async () => {
    const roomId = await createRoom(stack.ws.url, alice.token, 'busy searching');
    const [a, b] = [await joined(roomId, alice), await joined(roomId, bob)];
    // Every search connection taken by a search that would run for a minute: each says when it
    // holds its connection (its first statement has run on it).
    const holding: Array<Promise<void>> = [];
    const held = Array.from({ length: SEARCH_POOL_SIZE }, () => {
      let holds!: () => void;
      holding.push(new Promise<void>((resolve) => (holds = resolve)));
      return stack.ws.deps.search.pool
        .run(async (db) => {
          await db.execute(sql`SELECT 1`);
          holds();
          await db.execute(sql`SELECT pg_sleep(60)`);
        })
        .then(
          () => undefined,
          (err: unknown) => err as { code?: string },
        );
    });
    await Promise.all(holding);

    const tag = freshWord();
    const adversarial = ['-lunch', '"lunch bread"', letters.join(' or '), tag];
    const searches = Array.from({ length: 20 }, (_, i) => search(i % 2 ? alice : bob, adversarial[i % adversarial.length]!));
    const texts = Array.from({ length: 30 }, (_, i) => `${tag} message ${i}`);
    const acks = await Promise.all(texts.map((text) => a.say(text)));
    assert.deepEqual(acks.map((ack) => ack.text), texts, 'every message stored and acknowledged');
    const delivered = await Promise.all(texts.map((text) => b.next('message', (event) => event.text === text)));
    assert.deepEqual(delivered.map((event) => event.seq), acks.map((ack) => ack.seq), 'and delivered to the room');

    for (const { res, ms } of await Promise.all(searches)) {
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'SEARCH_BUSY');
      assert.equal(res.headers.get('retry-after'), '1');
      assert.ok(ms < SEARCH_TIMEOUT_MS, `answered in ${ms} ms`);
    }
    const history = await api(stack.ws.url, 'GET', `/ws/rooms/${roomId}/messages?limit=30`, { token: bob.token });
    assert.equal(history.body.items.length, 30, 'reading history has connections of its own');

    for (const err of await Promise.all(held)) assert.equal(err?.code, 'SEARCH_TIMEOUT', 'a held search ends at its deadline');
    const found = await search(bob, tag);
    assert.equal(found.res.status, 200);
    assert.equal(found.res.body.items.length, 20, 'the pool serves searches again');
  });

  it('refuses within SEARCH_TIMEOUT_MS what no index can bound: nothing every match must hold, too many words, a phrase of common words', async () => {
    const [first, second] = [freshWord(), freshWord()];
    const roomId = await createRoom(stack.ws.url, alice.token, 'common words');
    // More messages than a walk reads (WS_SEARCH_WALK_ROWS, 500), holding both words apart; stored
    // as the message writer stores them, in one room whose seq they fill.
    await stack.ws.deps.database.db.execute(
      sql`INSERT INTO messages (room_id, seq, user_id, text) SELECT ${roomId}, g, ${alice.id}, ${`${first} between`} || ' ' || ${second} FROM generate_series(1, 600) g`,
    );
    await stack.ws.deps.database.db.execute(sql`UPDATE rooms SET last_seq = 600 WHERE id = ${roomId}`);
    await stack.ws.deps.database.db.execute(sql`ANALYZE messages`);
    const strict = await startWsService({ ...ROOMY_SEARCH_LIMITS, SEARCH_MAX_PHRASE_ROWS: '1' });
    others.push(strict);

    const refusals: Array<[string, string]> = [
      ['-lunch', 'SEARCH_QUERY_TOO_BROAD'],
      [`${first} or -${second}`, 'SEARCH_QUERY_TOO_BROAD'],
      [letters.join(' or '), 'SEARCH_TOO_MANY_WORDS'],
      [`"${first} ${second}"`, 'SEARCH_PHRASE_TOO_COMMON'],
    ];
    for (const [q, code] of refusals) {
      const { res, ms } = await search(bob, q, strict.url);
      assert.equal(res.status, 400, q);
      assert.equal(res.body.error.code, code, q);
      assert.ok(ms < SEARCH_TIMEOUT_MS, `${q} answered in ${ms} ms`);
    }
    const { res } = await search(bob, `"between ${second}"`, strict.url);
    assert.equal(res.body.items.length, 20, 'a phrase the newest messages hold is answered by them');
  });

  it('counts searches per account: 429 TOO_MANY_SEARCHES with Retry-After past SEARCH_MAX_PER_MINUTE_PER_ACCOUNT', async () => {
    const limited = await startWsService({ SEARCH_MAX_PER_MINUTE_PER_ACCOUNT: '2' });
    others.push(limited);
    assert.equal((await search(alice, freshWord(), limited.url)).res.status, 200);
    assert.equal((await search(alice, freshWord(), limited.url)).res.status, 200);
    const { res } = await search(alice, freshWord(), limited.url);
    assert.equal(res.status, 429);
    assert.equal(res.body.error.code, 'TOO_MANY_SEARCHES');
    assert.match(res.body.error.message, /2 searches per minute per account/);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    assert.equal((await search(bob, freshWord(), limited.url)).res.status, 200, 'another account counts apart');
  });
});
