import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerUser } from '@murmur/auth-service/testing';
import { socialSuite } from './social-helpers.js';

describe('display names and bios', () => {
  const t = socialSuite();

  it('PATCH /me sets the display name and bio, shown on the profile and on posts', async () => {
    const alice = await registerUser(t.s.auth.url);
    const fresh = await t.c.call(alice, 'GET', `/users/${alice.id}`);
    assert.equal(fresh.body.displayName, null);
    assert.equal(fresh.body.bio, '');

    const changed = await t.c.call(alice, 'PATCH', '/me', { displayName: '  Alice 🌸 Liddell ', bio: 'Curiouser and curiouser.' });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.displayName, 'Alice 🌸 Liddell');
    assert.equal(changed.body.bio, 'Curiouser and curiouser.');
    assert.equal(changed.body.email, alice.email);
    const profile = await t.c.call(undefined, 'GET', `/users/${alice.id}`);
    assert.equal(profile.body.displayName, 'Alice 🌸 Liddell');
    assert.equal(profile.body.bio, 'Curiouser and curiouser.');
    const post = await t.c.post(alice, 'signed');
    assert.deepEqual(post.author, { id: alice.id, username: alice.username, displayName: 'Alice 🌸 Liddell', avatarUrl: null });

    // A field left out stays; an empty display name removes it.
    assert.equal((await t.c.call(alice, 'PATCH', '/me', { bio: 'Shorter.' })).body.displayName, 'Alice 🌸 Liddell');
    const cleared = await t.c.call(alice, 'PATCH', '/me', { displayName: '' });
    assert.equal(cleared.body.displayName, null);
    assert.equal(cleared.body.bio, 'Shorter.');
  });

  it('GET /me says whether the email is verified, and other people never see it', async () => {
    const alice = await registerUser(t.s.auth.url);
    assert.equal((await t.c.call(alice, 'GET', '/me')).body.emailVerified, false);
    // As auth-service records it when the owner opens the link mailed to them.
    await t.s.userDeps.database.pool.query('UPDATE users SET email_verified_at = now() WHERE id = $1', [alice.id]);
    assert.equal((await t.c.call(alice, 'GET', '/me')).body.emailVerified, true);
    assert.equal('emailVerified' in (await t.c.call(undefined, 'GET', `/users/${alice.id}`)).body, false);
  });

  it('counts characters: 50 for the display name and 500 for the bio, beyond them a 400 naming the field', async () => {
    const alice = await registerUser(t.s.auth.url);
    assert.equal((await t.c.call(alice, 'PATCH', '/me', { displayName: '😀'.repeat(50), bio: 'é'.repeat(500) })).status, 200);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ displayName: 'x'.repeat(51) }, 'displayName'],
      [{ bio: 'x'.repeat(501) }, 'bio'],
      [{ displayName: 42 }, 'displayName'],
      [{ bio: null }, 'bio'],
      [{ displayName: 'nul\u0000' }, 'displayName'],
    ];
    for (const [body, field] of cases) {
      const res = await t.c.call(alice, 'PATCH', '/me', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.field, field);
    }
    assert.equal((await t.c.call(undefined, 'PATCH', '/me', { bio: 'anonymous' })).status, 401);
  });

  it('people search finds display names too', async () => {
    const alice = await registerUser(t.s.auth.url);
    const word = `Zebra${alice.id}x`;
    await t.c.call(alice, 'PATCH', '/me', { displayName: `The ${word} Herder` });
    const res = await t.c.call(undefined, 'GET', `/users/search?q=${word.toLowerCase()}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((u: { id: number }) => u.id), [alice.id]);
    assert.equal(res.body.items[0].displayName, `The ${word} Herder`);
  });
});
