import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@murmur/shared/logger';
import { loadPublicKey } from '@murmur/shared/auth';
import { openPlatform, type Platform } from '@murmur/shared/platform';
import { api, nextEvent, testDatabaseUrl, testKeyPair } from '@murmur/shared/testing';
import { registerUser } from '@murmur/auth-service/testing';
import { startServices, type Services } from './helpers.js';

describe('DELETE /delete', () => {
  let s: Services;
  /** A stand-in for ws-service: a third service verifying through its own Platform. */
  let third: Platform;
  before(async () => {
    s = await startServices();
    third = await openPlatform(
      { DATABASE_URL: testDatabaseUrl(), JWT_ISSUER: 'murmur-auth', JWT_AUDIENCE: 'murmur' },
      loadPublicKey(testKeyPair().publicKey),
      createLogger('test', 'silent'),
    );
  });
  after(async () => {
    await third.close();
    await s.close();
  });

  const count = async (sql: string, params: unknown[]) =>
    Number((await s.userDeps.database.pool.query(sql, params)).rows[0].count);

  it('answers 204 and removes the user, their follows both ways and their sessions', async () => {
    const doomed = await registerUser(s.auth.url, 'doomed');
    const friend = await registerUser(s.auth.url, 'friend');
    await api(s.userUrl, 'POST', `/follow?toFollowId=${friend.id}`, { token: doomed.token });
    await api(s.userUrl, 'POST', `/follow?toFollowId=${doomed.id}`, { token: friend.token });

    const res = await api(s.userUrl, 'DELETE', '/delete', { token: doomed.token });
    assert.equal(res.status, 204);
    assert.equal(await count('SELECT count(*) FROM users WHERE id = $1', [doomed.id]), 0);
    assert.equal(await count('SELECT count(*) FROM follows WHERE follower_id = $1 OR followee_id = $1', [doomed.id]), 0);
    assert.equal(await count('SELECT count(*) FROM sessions WHERE user_id = $1', [doomed.id]), 0);
    const friendProfile = await api(s.userUrl, 'GET', `/users/${friend.id}`);
    assert.equal(friendProfile.body.followersCount, 0);
    assert.equal(friendProfile.body.followingCount, 0);
    assert.equal((await api(s.userUrl, 'GET', `/users/${doomed.id}`)).status, 404);
  });

  it('refuses every token the user held, in all three services, within one second', async () => {
    const doomed = await registerUser(s.auth.url);
    const second = await api(s.auth.url, 'POST', '/login', { body: { email: doomed.email, password: doomed.password } });
    // Each service has the sessions cached.
    assert.equal((await third.verification.verifyToken(doomed.token)).id, doomed.id);
    assert.equal((await third.verification.verifyToken(second.body.token)).id, doomed.id);
    const seen = nextEvent((resolve) => third.verification.authEvents.on('auth_event', resolve), 1_000);
    const started = performance.now();

    assert.equal((await api(s.userUrl, 'DELETE', '/delete', { token: doomed.token })).status, 204);
    assert.deepEqual(await seen, { type: 'user_deleted', userId: doomed.id });
    for (const token of [doomed.token, second.body.token]) {
      await assert.rejects(third.verification.verifyToken(token), { code: 'SESSION_REVOKED' });
      assert.equal((await api(s.userUrl, 'GET', '/me', { token })).status, 401);
      assert.equal((await api(s.auth.url, 'POST', '/logout', { token })).status, 401);
    }
    assert.ok(performance.now() - started < 1_000);
  });

  it('answers 401 to a second DELETE /delete with the same token', async () => {
    const doomed = await registerUser(s.auth.url);
    assert.equal((await api(s.userUrl, 'DELETE', '/delete', { token: doomed.token })).status, 204);
    const again = await api(s.userUrl, 'DELETE', '/delete', { token: doomed.token });
    assert.equal(again.status, 401);
  });

  it('frees the username and email; the new account inherits nothing and old tokens do not work for it', async () => {
    const original = await registerUser(s.auth.url);
    const friend = await registerUser(s.auth.url);
    await api(s.userUrl, 'POST', `/follow?toFollowId=${original.id}`, { token: friend.token });
    await api(s.userUrl, 'POST', `/follow?toFollowId=${friend.id}`, { token: original.token });
    assert.equal((await api(s.userUrl, 'DELETE', '/delete', { token: original.token })).status, 204);

    const again = await api(s.auth.url, 'POST', '/register', {
      body: { username: original.username, email: original.email, password: 'a brand new password' },
    });
    assert.equal(again.status, 201);
    assert.notEqual(again.body.user.id, original.id);
    const profile = await api(s.userUrl, 'GET', `/users/${again.body.user.id}`);
    assert.equal(profile.body.followersCount, 0);
    assert.equal(profile.body.followingCount, 0);
    assert.equal((await api(s.userUrl, 'GET', '/me', { token: original.token })).status, 401);
    assert.equal((await api(s.userUrl, 'GET', '/me', { token: again.body.token })).body.id, again.body.user.id);
  });

  it('refuses a cookie-authenticated deletion from a cross-site origin with 403 and keeps the account', async () => {
    const user = await registerUser(s.auth.url);
    const res = await api(s.userUrl, 'DELETE', '/delete', { cookie: user.cookie, headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(res.status, 403);
    assert.equal((await api(s.userUrl, 'GET', `/users/${user.id}`)).status, 200);
  });

  it('never answers 500 or leaves an orphan row when deleted while others follow concurrently', async () => {
    const target = await registerUser(s.auth.url, 'target');
    const fans = await Promise.all(Array.from({ length: 25 }, () => registerUser(s.auth.url, 'racer')));
    const follows = fans.map((fan) => api(s.userUrl, 'POST', `/follow?toFollowId=${target.id}`, { token: fan.token }));
    const deletion = api(s.userUrl, 'DELETE', '/delete', { token: target.token });
    const results = await Promise.all([...follows, deletion]);
    for (const res of results.slice(0, -1)) assert.ok(res.status === 200 || res.status === 404, `follow answered ${res.status}`);
    assert.equal(results.at(-1)!.status, 204);
    assert.equal(await count('SELECT count(*) FROM follows WHERE followee_id = $1', [target.id]), 0);
    assert.equal((await api(s.userUrl, 'POST', `/follow?toFollowId=${target.id}`, { token: fans[0]!.token })).status, 404);
  });
});
