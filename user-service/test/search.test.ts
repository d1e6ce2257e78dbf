import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, freshWord, ROOMY_SEARCH_LIMITS } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { startServices, startUserService, type Services, type UserServiceUnderTest } from './helpers.js';

describe('search', () => {
  let s: Services;
  /**
   * Every search is run on each way to its matches: one walk (the default instance, on this small
   * database), a first walk of 2 rows and a second one, and the index at once.
   */
  let others: UserServiceUnderTest[];
  before(async () => {
    s = await startServices(ROOMY_SEARCH_LIMITS);
    others = [
      await startUserService({ ...ROOMY_SEARCH_LIMITS, SEARCH_WALK_ROWS: '2', SEARCH_MAX_WALK_ROWS: '1000000' }),
      await startUserService({ ...ROOMY_SEARCH_LIMITS, SEARCH_WALK_ROWS: '1', SEARCH_MAX_WALK_ROWS: '1' }),
    ];
  });
  after(async () => {
    for (const other of others) await other.close();
    await s.close();
  });

  /** GET `path` from every instance; they must answer alike. */
  const get = async (path: string) => {
    const [walked, ...rest] = await Promise.all([api(s.userUrl, 'GET', path), ...others.map((other) => api(other.url, 'GET', path))]);
    for (const other of rest) {
      assert.deepEqual({ status: other.status, body: other.body }, { status: walked.status, body: walked.body }, `every way answers ${path} alike`);
    }
    return walked;
  };
  const search = async (what: 'users' | 'posts', q: string, extra = '') => {
    const res = await get(`/${what}/search?q=${encodeURIComponent(q)}${extra}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { items: any[]; nextCursor: string | null };
  };
  const post = async (user: RegisteredUser, text: string): Promise<number> => {
    const res = await api(s.userUrl, 'POST', '/posts', { token: user.token, body: { text } });
    assert.equal(res.status, 201);
    return res.body.id as number;
  };
  /** An account of a chosen name: what the name search tests need of it. */
  const register = async (username: string): Promise<{ id: number; username: string }> => {
    const res = await api(s.auth.url, 'POST', '/register', {
      body: { username, email: `${username}@example.com`, password: 'correct horse battery' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.user.id, username };
  };

  describe('GET /users/search', () => {
    it('lists the exact name first, then names starting with q, then names containing it, regardless of case, with follower counts', async () => {
      const base = freshWord().slice(0, 10);
      const contains = await register(`a_${base}`);
      const longer = await register(`${base}_zed`);
      const exact = await register(base.toUpperCase());
      const prefix = await register(`${base}0`);
      const alsoContains = await register(`b${base}x`);
      const fan = await registerUser(s.auth.url);
      assert.equal((await api(s.userUrl, 'POST', `/follow?toFollowId=${exact.id}`, { token: fan.token })).status, 200);

      const { items, nextCursor } = await search('users', base.toLowerCase().replace(/^./, (c) => c.toUpperCase()));
      assert.deepEqual(
        items.map((u) => u.username),
        [exact, prefix, longer, contains, alsoContains].map((u) => u.username),
      );
      assert.deepEqual(items[0], { id: exact.id, username: exact.username, displayName: null, avatarUrl: null, followersCount: 1 });
      assert.equal(items[1].followersCount, 0);
      assert.equal(nextCursor, null);
    });

    it('pages through every phase with nextCursor, one account a page, neither repeating nor skipping one', async () => {
      const base = freshWord().slice(0, 10);
      const names = [base, `${base}a`, `${base}b`, `x${base}`, `y${base}`];
      for (const name of names) await register(name);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: any[]; nextCursor: string | null } = await search('users', base, `&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((u) => u.username));
        cursor = page.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(seen, names);
    });

    it('matches inside a name only from 3 characters; a prefix from 1', async () => {
      const base = freshWord().slice(0, 8);
      const starts = await register(`${base}qq`);
      await register(`z${base}qq`);
      const two = base.slice(0, 2);
      assert.ok((await search('users', `${base}q`)).items.some((u) => u.id === starts.id));
      const short = await search('users', `${two}`, '&limit=100');
      assert.ok(short.items.every((u) => u.username.toLowerCase().startsWith(two)), 'a 2-character q lists names that start with it only');
      assert.equal((await search('users', `${base}qq`)).items.length, 2);
    });

    it('takes % and _ in q literally', async () => {
      const base = freshWord().slice(0, 8);
      const underscored = await register(`${base}_1`);
      await register(`${base}x1`);
      assert.deepEqual((await search('users', `${base}_`)).items.map((u) => u.id), [underscored.id]);
      assert.deepEqual((await search('users', '%%%')).items, []);
      assert.deepEqual((await search('users', '%')).items, []);
    });
  });

  describe('GET /posts/search', () => {
    it('finds words regardless of case and accents, in any language, as whole words', async () => {
      const author = await registerUser(s.auth.url);
      const tag = freshWord();
      const cafe = await post(author, `${tag} Un Café au lait`);
      const german = await post(author, `${tag} Grüße aus der Straße`);
      const russian = await post(author, `${tag} Привет, МИР`);
      const japanese = await post(author, `${tag} 東京 タワー に 行く`);
      const ids = async (q: string) => (await search('posts', `${tag} ${q}`)).items.map((p) => p.id);
      assert.deepEqual(await ids('cafe'), [cafe]);
      assert.deepEqual(await ids('CAFÉ'), [cafe]);
      assert.deepEqual(await ids('strasse'), [german]);
      assert.deepEqual(await ids('GRÜSSE'), [german]);
      assert.deepEqual(await ids('мир'), [russian]);
      assert.deepEqual(await ids('привет'), [russian]);
      assert.deepEqual(await ids('東京'), [japanese]);
      assert.deepEqual(await ids('caf'), [], 'part of a word is not the word');
      assert.deepEqual((await search('posts', tag)).items.map((p) => p.id), [japanese, russian, german, cafe]);
    });

    it('matches a phrase in double quotes as a phrase, and words without them in any order', async () => {
      const author = await registerUser(s.auth.url);
      const tag = freshWord();
      const inOrder = await post(author, `${tag} the red apple fell`);
      const apart = await post(author, `${tag} an apple, red as blood`);
      assert.deepEqual((await search('posts', `${tag} "red apple"`)).items.map((p) => p.id), [inOrder]);
      assert.deepEqual((await search('posts', `${tag} red apple`)).items.map((p) => p.id), [apart, inOrder]);
      assert.deepEqual((await search('posts', `${tag} apple -fell`)).items.map((p) => p.id), [apart]);
    });

    it('lists posts newest first in pages, with the post shape of every list, and drops a deleted post', async () => {
      const author = await registerUser(s.auth.url);
      const tag = freshWord();
      const ids: number[] = [];
      for (let i = 0; i < 5; i += 1) ids.push(await post(author, `post ${i} ${tag}`));
      const first = await search('posts', tag, '&limit=2');
      assert.deepEqual(first.items.map((p) => p.id), [ids[4], ids[3]]);
      assert.deepEqual(first.items[0], (await api(s.userUrl, 'GET', `/posts/${ids[4]}`)).body);
      const second = await search('posts', tag, `&limit=2&cursor=${first.nextCursor}`);
      assert.deepEqual(second.items.map((p) => p.id), [ids[2], ids[1]]);
      const last = await search('posts', tag, `&limit=2&cursor=${second.nextCursor}`);
      assert.deepEqual(last.items.map((p) => p.id), [ids[0]]);
      assert.equal(last.nextCursor, null);

      assert.equal((await api(s.userUrl, 'DELETE', `/posts/${ids[4]}`, { token: author.token })).status, 204);
      assert.deepEqual((await search('posts', tag, '&limit=1')).items.map((p) => p.id), [ids[3]]);
    });

    it('answers an empty page, never an error, for queries of odd characters', async () => {
      const author = await registerUser(s.auth.url);
      await post(author, `${freshWord()} ! & | " ' ( ) : * \\ -`);
      for (const q of ['!', '&|', '"', "'", '"unclosed', "it's", '!!!', '()', ':*', '\\', '-', 'or', '<->', '😀', '& | !', 'a & !']) {
        const page = await search('posts', q);
        assert.ok(Array.isArray(page.items), q);
        if (/^[^\p{L}\p{N}]+$/u.test(q)) assert.deepEqual(page, { items: [], nextCursor: null }, `${q} has no words`);
      }
      for (const q of ['!', '&|', '"', "'", '%_']) assert.ok(Array.isArray((await search('users', q)).items), q);
    });
  });

  it('answers 400 naming q for a missing, empty or over-long q; naming cursor or limit for bad ones', async () => {
    for (const what of ['users', 'posts']) {
      for (const query of ['', '?q=', '?q=%20%20', `?q=${'a'.repeat(201)}`, '?q=a%00b', '?q=a&q=b']) {
        const res = await get(`/${what}/search${query}`);
        assert.equal(res.status, 400, `${what} ${query}`);
        assert.equal(res.body.error.code, 'VALIDATION_FAILED');
        assert.match(res.body.error.message, /^q: /, `${what} ${query}`);
      }
      assert.equal((await get(`/${what}/search?q=${'é'.repeat(200)}`)).status, 200, '200 characters are fine, whatever their bytes');
      for (const [query, field] of [
        ['cursor=nope!', 'cursor'],
        ['cursor=eyJ4IjoxfQ', 'cursor'],
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['limit=x', 'limit'],
      ]) {
        const res = await get(`/${what}/search?q=a&${query}`);
        assert.equal(res.status, 400, `${what} ${query}`);
        assert.equal(res.body.error.field, field);
      }
    }
  });
});
