import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { startServices, type Services } from './helpers.js';

describe('posts', () => {
  let s: Services;
  before(async () => {
    s = await startServices();
  });
  after(() => s.close());

  const post = (user: RegisteredUser, text: unknown, headers: Record<string, string> = {}) =>
    api(s.userUrl, 'POST', '/posts', { token: user.token, body: { text }, headers });

  it('creates a post with 201 and the author, trimming the text', async () => {
    const alice = await registerUser(s.auth.url);
    const res = await post(alice, '  hello murmur  ');
    assert.equal(res.status, 201);
    assert.equal(typeof res.body.id, 'number');
    assert.deepEqual(res.body.author, { id: alice.id, username: alice.username, displayName: null, avatarUrl: null });
    assert.equal(res.body.text, 'hello murmur');
    assert.ok(!Number.isNaN(Date.parse(res.body.createdAt)));
    const fetched = await api(s.userUrl, 'GET', `/posts/${res.body.id}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body, res.body);
    assert.equal((await api(s.userUrl, 'GET', `/users/${alice.id}`)).body.postsCount, 1);
  });

  it('counts characters, not bytes: 280 emoji are accepted, 281 characters are not', async () => {
    const alice = await registerUser(s.auth.url);
    assert.equal((await post(alice, '😀'.repeat(280))).status, 201);
    assert.equal((await post(alice, 'é'.repeat(280))).status, 201);
    const long = await post(alice, 'a'.repeat(281));
    assert.equal(long.status, 400);
    assert.equal(long.body.error.field, 'text');
  });

  it('answers 400 for empty, blank, missing or non-string text', async () => {
    const alice = await registerUser(s.auth.url);
    for (const text of ['', '   \n ', undefined, 42, null]) {
      const res = await post(alice, text);
      assert.equal(res.status, 400, JSON.stringify(text));
      assert.equal(res.body.error.field, 'text');
    }
  });

  it('answers 401 without a token', async () => {
    assert.equal((await api(s.userUrl, 'POST', '/posts', { body: { text: 'hi' } })).status, 401);
  });

  it('returns the first post for a repeated Idempotency-Key and creates no duplicate', async () => {
    const alice = await registerUser(s.auth.url);
    const key = `key-${alice.id}`;
    const first = await post(alice, 'only once', { 'Idempotency-Key': key });
    const retry = await post(alice, 'only once', { 'Idempotency-Key': key });
    assert.equal(first.status, 201);
    assert.deepEqual(retry.body, first.body);
    assert.equal((await api(s.userUrl, 'GET', `/users/${alice.id}`)).body.postsCount, 1);
    // A different key, or another user with the same key, makes a new post.
    const other = await post(alice, 'only once', { 'Idempotency-Key': `${key}-2` });
    assert.notEqual(other.body.id, first.body.id);
    const bob = await registerUser(s.auth.url);
    const bobs = await post(bob, 'mine', { 'Idempotency-Key': key });
    assert.notEqual(bobs.body.id, first.body.id);
  });

  it('creates one post for concurrent retries with one Idempotency-Key', async () => {
    const alice = await registerUser(s.auth.url);
    const results = await Promise.all(Array.from({ length: 8 }, () => post(alice, 'retry storm', { 'Idempotency-Key': 'storm' })));
    assert.ok(results.every((r) => r.status === 201));
    assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
    assert.equal((await api(s.userUrl, 'GET', `/users/${alice.id}`)).body.postsCount, 1);
  });

  it('makes a key usable again after 24 hours', async () => {
    const alice = await registerUser(s.auth.url);
    const first = await post(alice, 'day one', { 'Idempotency-Key': 'daily' });
    await s.userDeps.database.pool.query(
      `UPDATE post_idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = $1`,
      [alice.id],
    );
    const next = await post(alice, 'day two', { 'Idempotency-Key': 'daily' });
    assert.equal(next.status, 201);
    assert.notEqual(next.body.id, first.body.id);
    assert.equal(next.body.text, 'day two');
  });

  it('answers 400 for a malformed Idempotency-Key', async () => {
    const alice = await registerUser(s.auth.url);
    const res = await post(alice, 'x', { 'Idempotency-Key': 'k'.repeat(300) });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.field, 'Idempotency-Key');
  });

  it('lets only the author delete a post: 204, then 404; 403 for someone else', async () => {
    const alice = await registerUser(s.auth.url);
    const bob = await registerUser(s.auth.url);
    const created = await post(alice, 'delete me');
    const byBob = await api(s.userUrl, 'DELETE', `/posts/${created.body.id}`, { token: bob.token });
    assert.equal(byBob.status, 403);
    assert.equal(byBob.body.error.code, 'NOT_POST_AUTHOR');
    assert.equal((await api(s.userUrl, 'DELETE', `/posts/${created.body.id}`, { token: alice.token })).status, 204);
    assert.equal((await api(s.userUrl, 'DELETE', `/posts/${created.body.id}`, { token: alice.token })).status, 404);
    assert.equal((await api(s.userUrl, 'GET', `/posts/${created.body.id}`)).status, 404);
  });

  it('answers 400 for a bad post id and 404 for a missing one', async () => {
    assert.equal((await api(s.userUrl, 'GET', '/posts/abc')).status, 400);
    const missing = await api(s.userUrl, 'GET', '/posts/2000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'POST_NOT_FOUND');
  });

  it("lists a user's posts newest first, with pagination, and 404 for an unknown user", async () => {
    const alice = await registerUser(s.auth.url);
    const ids = [];
    for (let i = 0; i < 5; i += 1) ids.push((await post(alice, `post ${i}`)).body.id);
    const page1 = await api(s.userUrl, 'GET', `/users/${alice.id}/posts?limit=3`);
    assert.deepEqual(page1.body.items.map((p: { id: number }) => p.id), ids.slice(2).reverse());
    const page2 = await api(s.userUrl, 'GET', `/users/${alice.id}/posts?limit=3&cursor=${page1.body.nextCursor}`);
    assert.deepEqual(page2.body.items.map((p: { id: number }) => p.id), ids.slice(0, 2).reverse());
    assert.equal(page2.body.nextCursor, null);
    assert.equal((await api(s.userUrl, 'GET', '/users/2000000000/posts')).status, 404);
  });
});
