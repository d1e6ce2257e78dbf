import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { startServices, startUserService, type Services, type UserServiceUnderTest } from './helpers.js';

describe('posts per account', () => {
  const limits = { POSTS_MAX_PER_WINDOW: '3', POSTS_WINDOW_SECONDS: '3600' };
  let s: Services;
  let second: UserServiceUnderTest;
  before(async () => {
    s = await startServices(limits);
    second = await startUserService(limits);
  });
  after(async () => {
    await second.close();
    await s.close();
  });

  const post = (url: string, user: RegisteredUser, text: unknown) => api(url, 'POST', '/posts', { token: user.token, body: { text } });

  it('answers 429 TOO_MANY_POSTS with Retry-After past POSTS_MAX_PER_WINDOW, counted across instances', async () => {
    const alice = await registerUser(s.auth.url);
    assert.equal((await post(s.userUrl, alice, 'one')).status, 201);
    assert.equal((await post(second.url, alice, 'two')).status, 201);
    assert.equal((await post(s.userUrl, alice, 'three')).status, 201);
    for (const url of [s.userUrl, second.url]) {
      const refused = await post(url, alice, 'four');
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error.code, 'TOO_MANY_POSTS');
      assert.match(refused.body.error.message, /at most 3 posts per hour/);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter > 3000 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    }
    const posts = await api(s.userUrl, 'GET', `/users/${alice.id}/posts`);
    assert.deepEqual(posts.body.items.map((p: { text: string }) => p.text), ['three', 'two', 'one']);
  });

  it('does not count a replayed Idempotency-Key: the replay returns the post even at the limit', async () => {
    const dave = await registerUser(s.auth.url);
    const keyed = (key: string) => api(s.userUrl, 'POST', '/posts', { token: dave.token, body: { text: `post ${key}` }, headers: { 'Idempotency-Key': key } });
    const first = await keyed('k1');
    assert.equal(first.status, 201);
    for (let i = 0; i < 3; i += 1) assert.equal((await keyed('k1')).body.id, first.body.id);
    assert.equal((await keyed('k2')).status, 201);
    assert.equal((await keyed('k3')).status, 201);
    assert.equal((await keyed('k4')).status, 429);
    const replay = await keyed('k1');
    assert.equal(replay.status, 201);
    assert.equal(replay.body.id, first.body.id);
  });

  it('counts each account apart, and invalid posts not at all', async () => {
    const bob = await registerUser(s.auth.url);
    const carol = await registerUser(s.auth.url);
    for (let i = 0; i < 5; i += 1) assert.equal((await post(s.userUrl, bob, '')).status, 400);
    for (const user of [bob, carol]) {
      for (let i = 0; i < 3; i += 1) assert.equal((await post(s.userUrl, user, `post ${i}`)).status, 201);
    }
  });
});
