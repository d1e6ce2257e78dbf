import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { api, eventually, freshWord, ROOMY_SEARCH_LIMITS, type ApiOptions } from '@murmur/shared/testing';
import { startServices, startUserService, type Services, type UserServiceUnderTest } from './helpers.js';
import { runningStatements } from './search-helpers.js';

/** The default deadline of a search (SEARCH_TIMEOUT_MS). */
const SEARCH_TIMEOUT_MS = 1_000;

describe('search guards', () => {
  let s: Services;
  let author: RegisteredUser;
  const started: UserServiceUnderTest[] = [];
  const startInstance = async (env: Record<string, string>) => {
    const instance = await startUserService(env);
    started.push(instance);
    return instance;
  };
  before(async () => {
    s = await startServices(ROOMY_SEARCH_LIMITS);
    author = await registerUser(s.auth.url);
  });
  after(async () => {
    for (const instance of started) await instance.close();
    await s.close();
  });

  const post = async (text: string): Promise<number> => {
    const res = await api(s.userUrl, 'POST', '/posts', { token: author.token, body: { text } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as number;
  };
  /** GET `path` from `url`, with how long the answer took. */
  const timedGet = async (url: string, path: string, options: ApiOptions = {}) => {
    const started = performance.now();
    const res = await api(url, 'GET', path, options);
    return { res, ms: performance.now() - started };
  };
  const searchPosts = (q: string, url = s.userUrl, extra = '') => timedGet(url, `/posts/search?q=${encodeURIComponent(q)}${extra}`);
  const running = (start: string) => runningStatements(s.userDeps.database.pool, start);

  it('refuses at once a q with nothing every match must hold: 400 SEARCH_QUERY_TOO_BROAD', async () => {
    const tag = freshWord();
    const kept = await post(`${tag} with lunch`);
    const left = await post(`${tag} with bread`);
    for (const q of ['-lunch', `-${tag} -bread`, `${tag} or -bread`, '-"red apple"', `-${tag} or -lunch`]) {
      const { res, ms } = await searchPosts(q);
      assert.equal(res.status, 400, q);
      assert.equal(res.body.error.code, 'SEARCH_QUERY_TOO_BROAD', q);
      assert.match(res.body.error.message, /every match/);
      assert.ok(ms < SEARCH_TIMEOUT_MS, `${q} answered in ${ms} ms`);
    }
    const { res } = await searchPosts(`${tag} -bread`);
    assert.deepEqual(res.body.items.map((p: any) => p.id), [kept], 'a word to look for, and one to leave out');
    assert.deepEqual((await searchPosts(`${tag} -lunch`)).res.body.items.map((p: any) => p.id), [left]);
  });

  it('refuses more different words than SEARCH_MAX_TERMS (8) with 400 SEARCH_TOO_MANY_WORDS naming the limit; a repeated word counts once', async () => {
    const word = freshWord();
    const target = await post(`${word} is here`);
    const letters = [...'abcdefghijklmnopqrstuvwxyz'];
    /** 52 words of two letters: 200 characters of q hold 50 of them. */
    const short = ['q', 'x'].flatMap((first) => letters.map((second) => `${first}${second}`));
    const refused = [
      letters.join(' or '),
      short.slice(0, 50).join(' '),
      `${word} ${short.slice(0, 8).map((w) => `-${w}`).join(' ')}`,
      `"${short.slice(0, 9).join(' ')}"`,
    ];
    for (const q of refused) {
      const { res, ms } = await searchPosts(q);
      assert.equal(res.status, 400, q);
      assert.equal(res.body.error.code, 'SEARCH_TOO_MANY_WORDS', q);
      assert.match(res.body.error.message, /at most 8\b/);
      assert.ok(ms < SEARCH_TIMEOUT_MS, `answered in ${ms} ms`);
    }
    assert.match((await searchPosts(letters.join(' or '))).res.body.error.message, /holds 26 different words/);
    assert.match((await searchPosts(short.slice(0, 50).join(' '))).res.body.error.message, /holds 50 different words/);
    const eight = await searchPosts(`${word} ${short.slice(0, 7).map((w) => `-${w}`).join(' ')}`);
    assert.equal(eight.res.status, 200, JSON.stringify(eight.res.body));
    assert.deepEqual(eight.res.body.items.map((p: any) => p.id), [target]);
    assert.deepEqual((await searchPosts(Array(12).fill(word).join(' '))).res.body.items.map((p: any) => p.id), [target]);
  });

  it('refuses a phrase the newest posts did not answer when the planner puts its words in more than SEARCH_MAX_PHRASE_ROWS posts', async () => {
    const [first, second] = [freshWord(), freshWord()];
    const together = [await post(`${first} ${second} side by side`), await post(`and ${first} ${second} again`)];
    // More posts than a walk reads (SEARCH_WALK_ROWS, 500), newer, holding both words apart.
    await s.userDeps.database.db.execute(
      sql`INSERT INTO posts (author_id, text) SELECT ${author.id}, ${`${first} between`} || ' ' || ${second} FROM generate_series(1, 600)`,
    );
    await s.userDeps.database.db.execute(sql`ANALYZE posts`);
    const estimate = (
      await s.userDeps.database.pool.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(
        `EXPLAIN (FORMAT JSON) SELECT 1 FROM posts WHERE to_tsvector('murmur_search', text) @@ websearch_to_tsquery('murmur_search', $1)`,
        [`"${first} ${second}"`],
      )
    ).rows[0]!['QUERY PLAN'][0]!.Plan['Plan Rows'];
    assert.ok(estimate > 2, `the planner puts both words in ${estimate} posts`);
    // Margins either side of the estimate: other tests' posts may move it a little meanwhile.
    const strict = await startInstance({ ...ROOMY_SEARCH_LIMITS, SEARCH_MAX_PHRASE_ROWS: String(Math.floor(estimate / 2)) });
    const lenient = await startInstance({ ...ROOMY_SEARCH_LIMITS, SEARCH_MAX_PHRASE_ROWS: String(estimate * 2) });

    const { res, ms } = await searchPosts(`"${first} ${second}"`, strict.url);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'SEARCH_PHRASE_TOO_COMMON');
    assert.match(res.body.error.message, /add a rarer word/);
    assert.ok(ms < SEARCH_TIMEOUT_MS, `answered in ${ms} ms`);
    const allowed = await searchPosts(`"${first} ${second}"`, lenient.url);
    assert.deepEqual(allowed.res.body.items.map((p: any) => p.id), [...together].reverse());
    const newest = await searchPosts(`"between ${second}"`, strict.url, '&limit=5');
    assert.equal(newest.res.status, 200, 'a phrase the newest posts answer needs no index, however common its words');
    assert.equal(newest.res.body.items.length, 5);
    const rare = freshWord();
    const alone = await post(`${first} ${rare}`);
    assert.deepEqual((await searchPosts(`"${first} ${rare}"`, strict.url)).res.body.items.map((p: any) => p.id), [alone], 'a rare word makes the phrase cheap');
  });

  it('answers 503 SEARCH_TIMEOUT with Retry-After once a search runs past SEARCH_TIMEOUT_MS, and its connection serves the next one', async () => {
    const timeoutMs = 300;
    const instance = await startInstance({ ...ROOMY_SEARCH_LIMITS, SEARCH_TIMEOUT_MS: String(timeoutMs), SEARCH_POOL_SIZE: '1' });
    const tag = freshWord();
    const id = await post(tag);
    // The search waits on the lock until its deadline: a statement that runs that long.
    const locker = await s.userDeps.database.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE posts IN ACCESS EXCLUSIVE MODE');
      const { res, ms } = await searchPosts(tag, instance.url);
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'SEARCH_TIMEOUT');
      assert.ok(Number(res.headers.get('retry-after')) > 0);
      assert.ok(ms >= timeoutMs / 2 && ms < timeoutMs + 300, `answered in ${ms} ms: after waiting on the lock, by the deadline`);
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    assert.deepEqual((await searchPosts(tag, instance.url)).res.body.items.map((p: any) => p.id), [id]);
  });

  it('answers 503 SEARCH_BUSY within SEARCH_QUEUE_TIMEOUT_MS while every search connection is taken, and posting and reading go on', async () => {
    const instance = await startInstance({ ...ROOMY_SEARCH_LIMITS, SEARCH_POOL_SIZE: '1', SEARCH_QUEUE_TIMEOUT_MS: '50', SEARCH_TIMEOUT_MS: '2000' });
    const statement = `SELECT pg_sleep(30) /* ${freshWord()} */`;
    const held = instance.deps.search.pool.run((db) => db.execute(sql.raw(statement)));
    const outcome = held.then(
      () => undefined,
      (err: unknown) => err,
    );
    await eventually(async () => assert.equal(await running(statement), 1, 'the search connection is taken'));

    for (const path of [`/posts/search?q=${freshWord()}`, '/users/search?q=someone']) {
      const { res, ms } = await timedGet(instance.url, path);
      assert.equal(res.status, 503, path);
      assert.equal(res.body.error.code, 'SEARCH_BUSY');
      assert.equal(res.headers.get('retry-after'), '1');
      assert.ok(ms < 500, `${path} answered in ${ms} ms`);
    }
    const created = await api(instance.url, 'POST', '/posts', { token: author.token, body: { text: 'posting goes on' } });
    assert.equal(created.status, 201, 'posting has connections of its own');
    assert.equal((await api(instance.url, 'GET', `/posts/${created.body.id}`)).status, 200);

    const err = (await outcome) as { status?: number; code?: string } | undefined;
    assert.equal(err?.code, 'SEARCH_TIMEOUT', 'the held search ends at its deadline');
    assert.equal(await running(statement), 0, 'PostgreSQL stopped it');
    assert.equal((await timedGet(instance.url, `/posts/search?q=${freshWord()}`)).res.status, 200);
  });

  describe('rate limits', () => {
    let limited: UserServiceUnderTest;
    before(async () => {
      limited = await startInstance({ SEARCH_MAX_PER_MINUTE_PER_ACCOUNT: '2', SEARCH_MAX_PER_MINUTE_PER_ADDRESS: '3', TRUST_PROXY_HOPS: '1' });
    });
    /** A search from the client address `address` (the proxy's X-Forwarded-For), signed in as `user` if given. */
    const searchFrom = (address: string, user?: RegisteredUser, what = 'posts') =>
      api(limited.url, 'GET', `/${what}/search?q=${freshWord()}`, { headers: { 'x-forwarded-for': address }, ...(user ? { token: user.token } : {}) });
    const assertTooMany = (res: { status: number; body: any; headers: Headers }, per: RegExp) => {
      assert.equal(res.status, 429);
      assert.equal(res.body.error.code, 'TOO_MANY_SEARCHES');
      assert.match(res.body.error.message, per);
      assert.ok(Number(res.headers.get('retry-after')) > 0);
    };

    it('counts signed-out searches per address, post and user searches alike: 429 TOO_MANY_SEARCHES with Retry-After past SEARCH_MAX_PER_MINUTE_PER_ADDRESS', async () => {
      assert.equal((await searchFrom('203.0.113.1')).status, 200);
      assert.equal((await searchFrom('203.0.113.1', undefined, 'users')).status, 200);
      assert.equal((await searchFrom('203.0.113.1')).status, 200);
      assertTooMany(await searchFrom('203.0.113.1', undefined, 'users'), /3 searches per minute per address/);
      assert.equal((await searchFrom('203.0.113.2')).status, 200, 'another address counts apart');
    });

    it('counts signed-in searches per account whatever the address, and a refused account uses up nothing of its address', async () => {
      const searcher = await registerUser(s.auth.url);
      assert.equal((await searchFrom('203.0.113.10', searcher)).status, 200);
      assert.equal((await searchFrom('203.0.113.11', searcher)).status, 200);
      assertTooMany(await searchFrom('203.0.113.12', searcher), /2 searches per minute per account/);
      assert.equal((await searchFrom('203.0.113.12')).status, 200);
      assert.equal((await searchFrom('203.0.113.12')).status, 200);
      assert.equal((await searchFrom('203.0.113.12')).status, 200, 'the refused search did not count for the address');
      assertTooMany(await searchFrom('203.0.113.12'), /per address/);
    });
  });
});
