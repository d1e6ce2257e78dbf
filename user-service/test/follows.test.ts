import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api } from '@murmur/shared/testing';
import { registerUser } from '@murmur/auth-service/testing';
import { startServices, type Services } from './helpers.js';

describe('follow and unfollow', () => {
  let s: Services;
  before(async () => {
    s = await startServices();
  });
  after(() => s.close());

  it('follows with 200 and reports the relationship both ways', async () => {
    const alice = await registerUser(s.auth.url, 'alice');
    const bob = await registerUser(s.auth.url, 'bob');
    const first = await api(s.userUrl, 'POST', `/follow?toFollowId=${bob.id}`, { token: alice.token });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { relationship: { id: bob.id, following: true, followedBy: false, blocking: false, blockedBy: false, muting: false, mutingNotifications: false } });
    const back = await api(s.userUrl, 'POST', `/follow?toFollowId=${alice.id}`, { token: bob.token });
    assert.deepEqual(back.body, { relationship: { id: alice.id, following: true, followedBy: true, blocking: false, blockedBy: false, muting: false, mutingNotifications: false } });
  });

  it('follow twice keeps one follow and answers 200', async () => {
    const alice = await registerUser(s.auth.url);
    const bob = await registerUser(s.auth.url);
    for (let i = 0; i < 2; i += 1) {
      const res = await api(s.userUrl, 'POST', `/follow?toFollowId=${bob.id}`, { token: alice.token });
      assert.equal(res.status, 200);
    }
    const profile = await api(s.userUrl, 'GET', `/users/${bob.id}`);
    assert.equal(profile.body.followersCount, 1);
  });

  it('unfollows with 200, and unfollowing someone you do not follow is also 200', async () => {
    const alice = await registerUser(s.auth.url);
    const bob = await registerUser(s.auth.url);
    await api(s.userUrl, 'POST', `/follow?toFollowId=${alice.id}`, { token: bob.token });
    await api(s.userUrl, 'POST', `/follow?toFollowId=${bob.id}`, { token: alice.token });
    const res = await api(s.userUrl, 'POST', `/unfollow?toUnfollowId=${bob.id}`, { token: alice.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { relationship: { id: bob.id, following: false, followedBy: true, blocking: false, blockedBy: false, muting: false, mutingNotifications: false } });
    const again = await api(s.userUrl, 'POST', `/unfollow?toUnfollowId=${bob.id}`, { token: alice.token });
    assert.equal(again.status, 200);
    assert.equal((await api(s.userUrl, 'GET', `/users/${bob.id}`)).body.followersCount, 0);
  });

  it('answers 400 for a missing or non-integer id and for following yourself', async () => {
    const alice = await registerUser(s.auth.url);
    for (const query of ['', '?toFollowId=', '?toFollowId=abc', '?toFollowId=1.5', '?toFollowId=-3', '?toFollowId=99999999999']) {
      const res = await api(s.userUrl, 'POST', `/follow${query}`, { token: alice.token });
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.field, 'toFollowId');
    }
    const unfollowBad = await api(s.userUrl, 'POST', '/unfollow?toUnfollowId=x', { token: alice.token });
    assert.equal(unfollowBad.status, 400);
    const self = await api(s.userUrl, 'POST', `/follow?toFollowId=${alice.id}`, { token: alice.token });
    assert.equal(self.status, 400);
    assert.equal(self.body.error.code, 'CANNOT_FOLLOW_SELF');
  });

  it('answers 404 for an unknown user', async () => {
    const alice = await registerUser(s.auth.url);
    const res = await api(s.userUrl, 'POST', '/follow?toFollowId=2000000000', { token: alice.token });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'USER_NOT_FOUND');
    const un = await api(s.userUrl, 'POST', '/unfollow?toUnfollowId=2000000000', { token: alice.token });
    assert.equal(un.status, 404);
  });

  it('answers 401 without a token', async () => {
    const res = await api(s.userUrl, 'POST', '/follow?toFollowId=1');
    assert.equal(res.status, 401);
  });

  it('refuses a cookie-authenticated follow from a cross-site origin with 403, and allows it from an allowed one', async () => {
    const alice = await registerUser(s.auth.url);
    const bob = await registerUser(s.auth.url);
    const evil = await api(s.userUrl, 'POST', `/follow?toFollowId=${bob.id}`, { cookie: alice.cookie, headers: { origin: 'https://evil.example' } });
    assert.equal(evil.status, 403);
    assert.equal((await api(s.userUrl, 'GET', `/users/${bob.id}`)).body.followersCount, 0);
    const fine = await api(s.userUrl, 'POST', `/follow?toFollowId=${bob.id}`, { cookie: alice.cookie, headers: { origin: 'http://localhost:8082' } });
    assert.equal(fine.status, 200);
  });

  it('counts right under concurrency: 50 parallel follows give followersCount 50', async () => {
    const star = await registerUser(s.auth.url, 'star');
    const fans = await Promise.all(Array.from({ length: 50 }, () => registerUser(s.auth.url, 'fan')));
    const results = await Promise.all(fans.map((fan) => api(s.userUrl, 'POST', `/follow?toFollowId=${star.id}`, { token: fan.token })));
    assert.ok(results.every((r) => r.status === 200));
    const profile = await api(s.userUrl, 'GET', `/users/${star.id}`);
    assert.equal(profile.body.followersCount, 50);
    // And the same follows repeated concurrently change nothing.
    await Promise.all(fans.map((fan) => api(s.userUrl, 'POST', `/follow?toFollowId=${star.id}`, { token: fan.token })));
    assert.equal((await api(s.userUrl, 'GET', `/users/${star.id}`)).body.followersCount, 50);
  });
});

describe('profiles and follower lists', () => {
  let s: Services;
  before(async () => {
    s = await startServices();
  });
  after(() => s.close());

  it('GET /users/:id shows the public profile with counts, and no email', async () => {
    const alice = await registerUser(s.auth.url);
    const bob = await registerUser(s.auth.url);
    await api(s.userUrl, 'POST', `/follow?toFollowId=${alice.id}`, { token: bob.token });
    const res = await api(s.userUrl, 'GET', `/users/${alice.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, alice.id);
    assert.equal(res.body.username, alice.username);
    assert.ok(!Number.isNaN(Date.parse(res.body.createdAt)));
    assert.equal(res.body.followersCount, 1);
    assert.equal(res.body.followingCount, 0);
    assert.equal(res.body.postsCount, 0);
    assert.equal(res.body.email, undefined);
    assert.equal(res.body.relationship, null, 'an anonymous caller has no relationship');
  });

  it('GET /users/:id tells a logged-in caller whether they follow the user and are followed back', async () => {
    const alice = await registerUser(s.auth.url);
    const bob = await registerUser(s.auth.url);
    const seenBy = async (viewer: typeof alice, user: typeof alice) =>
      (await api(s.userUrl, 'GET', `/users/${user.id}`, { token: viewer.token })).body.relationship;
    assert.deepEqual(await seenBy(alice, bob), { id: bob.id, following: false, followedBy: false, blocking: false, blockedBy: false, muting: false, mutingNotifications: false });
    await api(s.userUrl, 'POST', `/follow?toFollowId=${bob.id}`, { token: alice.token });
    assert.deepEqual(await seenBy(alice, bob), { id: bob.id, following: true, followedBy: false, blocking: false, blockedBy: false, muting: false, mutingNotifications: false });
    assert.deepEqual(await seenBy(bob, alice), { id: alice.id, following: false, followedBy: true, blocking: false, blockedBy: false, muting: false, mutingNotifications: false });
    await api(s.userUrl, 'POST', `/unfollow?toUnfollowId=${bob.id}`, { token: alice.token });
    assert.deepEqual(await seenBy(alice, bob), { id: bob.id, following: false, followedBy: false, blocking: false, blockedBy: false, muting: false, mutingNotifications: false });
    assert.equal(await seenBy(alice, alice), null, 'none on one’s own profile');
    assert.equal((await api(s.userUrl, 'GET', `/users/${bob.id}`, { token: 'forged' })).status, 401, 'a bad token is refused, not ignored');
  });

  it('GET /users/:id answers 404 for an unknown user and 400 for a bad id', async () => {
    assert.equal((await api(s.userUrl, 'GET', '/users/2000000000')).status, 404);
    const bad = await api(s.userUrl, 'GET', '/users/abc');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'id');
  });

  it('GET /me shows the caller, with email, and needs a token', async () => {
    const alice = await registerUser(s.auth.url);
    const res = await api(s.userUrl, 'GET', '/me', { token: alice.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, alice.id);
    assert.equal(res.body.email, alice.email);
    assert.equal((await api(s.userUrl, 'GET', '/me', { cookie: alice.cookie })).status, 200);
    assert.equal((await api(s.userUrl, 'GET', '/me')).status, 401);
  });

  it('lists followers and following newest first', async () => {
    const star = await registerUser(s.auth.url);
    const fans = [];
    for (let i = 0; i < 3; i += 1) {
      const fan = await registerUser(s.auth.url);
      await api(s.userUrl, 'POST', `/follow?toFollowId=${star.id}`, { token: fan.token });
      fans.push(fan);
    }
    const followers = await api(s.userUrl, 'GET', `/users/${star.id}/followers`);
    assert.equal(followers.status, 200);
    assert.deepEqual(
      followers.body.items,
      fans.reverse().map((f) => ({ id: f.id, username: f.username, displayName: null, avatarUrl: null })),
    );
    assert.equal(followers.body.nextCursor, null);
    const following = await api(s.userUrl, 'GET', `/users/${fans[0]!.id}/following`);
    assert.deepEqual(following.body, { items: [{ id: star.id, username: star.username, displayName: null, avatarUrl: null }], nextCursor: null });
  });

  it('answers 404 for the lists of an unknown user, 400 for a bad limit or cursor', async () => {
    assert.equal((await api(s.userUrl, 'GET', '/users/2000000000/followers')).status, 404);
    const alice = await registerUser(s.auth.url);
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=abc', 'cursor=-1']) {
      const res = await api(s.userUrl, 'GET', `/users/${alice.id}/followers?${query}`);
      assert.equal(res.status, 400, query);
    }
    const empty = await api(s.userUrl, 'GET', `/users/${alice.id}/following`);
    assert.deepEqual(empty.body, { items: [], nextCursor: null });
  });

  it('walks every follower exactly once while new follows arrive during the walk', async () => {
    const star = await registerUser(s.auth.url);
    const users = await Promise.all(Array.from({ length: 30 }, () => registerUser(s.auth.url, 'walk')));
    const early = users.slice(0, 25);
    const late = users.slice(25);
    for (const fan of early) await api(s.userUrl, 'POST', `/follow?toFollowId=${star.id}`, { token: fan.token });

    const seen: number[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const query: string = cursor ? `?limit=7&cursor=${cursor}` : '?limit=7';
      const res = await api(s.userUrl, 'GET', `/users/${star.id}/followers${query}`);
      assert.equal(res.status, 200);
      assert.ok(res.body.items.length <= 7);
      seen.push(...res.body.items.map((u: { id: number }) => u.id));
      cursor = res.body.nextCursor;
      // Interleave: new follows land between page reads.
      const newcomer = late[page];
      if (newcomer) await api(s.userUrl, 'POST', `/follow?toFollowId=${star.id}`, { token: newcomer.token });
      page += 1;
    } while (cursor);

    assert.equal(new Set(seen).size, seen.length, 'no follower appears twice');
    for (const fan of early) assert.ok(seen.includes(fan.id), `follower ${fan.id} was seen`);
    assert.equal(page, 4);
  });

  it('serves each page of both lists from its own index', async () => {
    const client = await s.userDeps.database.pool.connect();
    try {
      await client.query('BEGIN');
      // On a small test table the planner may prefer a scan; forbid it to prove an index fits.
      await client.query('SET LOCAL enable_seqscan = off');
      for (const [owner, listed, index] of [
        ['followee_id', 'follower_id', 'follows_followee_id_idx'],
        ['follower_id', 'followee_id', 'follows_follower_id_idx'],
      ]) {
        const { rows } = await client.query(
          `EXPLAIN SELECT f.id, u.id, u.username FROM follows f JOIN users u ON u.id = f.${listed}
           WHERE f.${owner} = 1 AND f.id < 1000 ORDER BY f.id DESC LIMIT 21`,
        );
        const plan = rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
        assert.match(plan, new RegExp(`Index Scan (using|on) ${index}`), plan);
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
