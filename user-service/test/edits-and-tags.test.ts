import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { socialSuite } from './social-helpers.js';

describe('mentions, hashtags, trends and edits', () => {
  // Trends computed on every read, so each test sees its own posts at once.
  const t = socialSuite({ TRENDS_REFRESH_SECONDS: '0' });
  const tagPostIds = async (tag: string) => (await t.c.all(`/tags/${encodeURIComponent(tag)}/posts`)).map((p) => p.id);

  it('mentions the existing accounts a text names, regardless of case, once each; unknown names stay text', async () => {
    const [alice, bob, carol] = await t.register(3);
    const text = `hi @${bob!.username.toUpperCase()} and @${carol!.username}, @${bob!.username} again; @nobody_here_at_all, mail ${carol!.username}@example.com`;
    const post = await t.c.post(alice!, text);
    assert.deepEqual(post.mentions, [
      { id: bob!.id, username: bob!.username },
      { id: carol!.id, username: carol!.username },
    ]);
    assert.equal(post.text, text);
    const remote = await t.c.post(alice!, `@${bob!.username}@example.com is someone else`);
    assert.deepEqual(remote.mentions, []);
  });

  it('tags a post with its hashtags, normalised, and lists a tag’s posts newest first in any case', async () => {
    const [alice, bob] = await t.register(2);
    const tag = `Topic${alice!.id}`;
    const first = await t.c.post(alice!, `#${tag} opens, #2024 is a number`);
    const second = await t.c.post(bob!, `more on #${tag.toUpperCase()} and #${tag.toLowerCase()}`);
    assert.deepEqual(first.tags, [tag.toLowerCase()]);
    assert.deepEqual(second.tags, [tag.toLowerCase()]);
    assert.deepEqual(await tagPostIds(tag), [second.id, first.id]);
    assert.deepEqual(await tagPostIds(`#${tag.toUpperCase()}`), [second.id, first.id]);
    assert.deepEqual(await tagPostIds(`unused${alice!.id}`), []);
  });

  it('answers 400 INVALID_TAG for what cannot be a tag', async () => {
    for (const tag of ['2024', 'two words', 'a-b', 'x'.repeat(101)]) {
      const res = await t.c.call(undefined, 'GET', `/tags/${encodeURIComponent(tag)}/posts`);
      assert.equal(res.status, 400, tag);
      assert.equal(res.body.error.code, 'INVALID_TAG');
    }
    assert.equal((await t.c.call(undefined, 'GET', `/tags/${'x'.repeat(201)}/posts`)).status, 400);
  });

  it('ranks trending tags by distinct accounts: one account repeating a tag counts once', async () => {
    const users = await t.register(4);
    const stamp = users[0]!.id;
    const [wide, loud] = [`wide${stamp}`, `loud${stamp}`];
    for (const user of users.slice(0, 3)) await t.c.post(user, `#${wide}`);
    for (let i = 0; i < 5; i += 1) await t.c.post(users[3]!, `#${loud} number ${i}`);
    const res = await t.c.call(undefined, 'GET', '/tags/trending');
    assert.equal(res.status, 200);
    const items = res.body.items as Array<{ tag: string; posts: number; accounts: number }>;
    assert.ok(items.length <= 20);
    const rank = (tag: string) => items.findIndex((item) => item.tag === tag);
    assert.deepEqual(items[rank(wide)], { tag: wide, posts: 3, accounts: 3 });
    assert.deepEqual(items[rank(loud)], { tag: loud, posts: 5, accounts: 1 });
    assert.ok(rank(wide) < rank(loud));
  });

  it('an edit keeps the earlier versions, re-reads tags and mentions, and shows in every timeline', async () => {
    const [alice, bob, follower] = await t.register(3);
    await t.c.follow(follower!, alice!);
    const tag = `before${alice!.id}`;
    const post = await t.c.post(alice!, `first draft #${tag}`);
    assert.equal(post.editedAt, null);

    const edited = await t.c.call(alice, 'PATCH', `/posts/${post.id}`, { text: `second draft #after${alice!.id} for @${bob!.username}` });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.text, `second draft #after${alice!.id} for @${bob!.username}`);
    assert.ok(edited.body.editedAt);
    assert.deepEqual(edited.body.tags, [`after${alice!.id}`]);
    assert.deepEqual(edited.body.mentions, [{ id: bob!.id, username: bob!.username }]);
    await t.c.call(alice, 'PATCH', `/posts/${post.id}`, { text: 'third draft' });

    const versions = await t.c.all<{ text: string; editedAt: string }>(`/posts/${post.id}/edits`);
    assert.deepEqual(versions.map((v) => v.text), [`first draft #${tag}`, `second draft #after${alice!.id} for @${bob!.username}`]);
    assert.equal(versions[0]!.editedAt, post.createdAt);
    assert.deepEqual(await tagPostIds(tag), []);
    assert.deepEqual(await tagPostIds(`after${alice!.id}`), []);
    const inTimeline = (await t.c.all('/timeline', follower)).find((p) => p.id === post.id);
    assert.equal(inTimeline?.text, 'third draft');
  });

  it('lets only the author edit: 403 NOT_POST_AUTHOR, 404 for unknown posts, 400 for bad text', async () => {
    const [alice, bob] = await t.register(2);
    const post = await t.c.post(alice!, 'mine');
    const theirs = await t.c.call(bob, 'PATCH', `/posts/${post.id}`, { text: 'hijacked' });
    assert.equal(theirs.status, 403);
    assert.equal(theirs.body.error.code, 'NOT_POST_AUTHOR');
    assert.equal((await t.c.call(alice, 'PATCH', '/posts/9007199254740991', { text: 'x' })).body.error.code, 'POST_NOT_FOUND');
    for (const text of ['', ' ', 'a'.repeat(281), 42, null]) {
      const res = await t.c.call(alice, 'PATCH', `/posts/${post.id}`, { text });
      assert.equal(res.status, 400, JSON.stringify(text));
      assert.equal(res.body.error.field, 'text');
    }
    assert.equal((await t.c.call(undefined, 'PATCH', `/posts/${post.id}`, { text: 'anonymous' })).status, 401);
    assert.equal((await t.c.get(post.id)).text, 'mine');
    assert.deepEqual(await t.c.all(`/posts/${post.id}/edits`), []);
  });
});
