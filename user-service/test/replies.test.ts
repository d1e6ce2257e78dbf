import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerUser } from '@murmur/auth-service/testing';
import { socialSuite } from './social-helpers.js';

describe('replies and threads', () => {
  const t = socialSuite();

  it('a reply names the post and author it answers, and counts on the post', async () => {
    const [alice, bob] = [await registerUser(t.s.auth.url), await registerUser(t.s.auth.url)];
    const root = await t.c.post(alice, 'a question');
    const reply = await t.c.post(bob, 'an answer', root.id);
    assert.equal(reply.inReplyToId, root.id);
    assert.equal(reply.inReplyToUserId, alice.id);
    assert.equal(root.inReplyToId, null);
    assert.equal((await t.c.get(root.id)).repliesCount, 1);
  });

  it('a reply to an unknown or deleted post is a 404 POST_NOT_FOUND, a malformed one a 400', async () => {
    const alice = await registerUser(t.s.auth.url);
    const gone = await t.c.post(alice, 'soon gone');
    assert.equal((await t.c.call(alice, 'DELETE', `/posts/${gone.id}`)).status, 204);
    for (const inReplyToId of [gone.id, 9_007_199_254_740_991]) {
      const res = await t.c.call(alice, 'POST', '/posts', { text: 'hello?', inReplyToId });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'POST_NOT_FOUND');
    }
    for (const inReplyToId of [0, -1, 1.5, 'x', '12', 2 ** 60]) {
      const res = await t.c.call(alice, 'POST', '/posts', { text: 'hello?', inReplyToId });
      assert.equal(res.status, 400, JSON.stringify(inReplyToId));
      assert.equal(res.body.error.field, 'inReplyToId');
    }
  });

  it('lists the direct replies oldest first, a page at a time', async () => {
    const [alice, bob] = [await registerUser(t.s.auth.url), await registerUser(t.s.auth.url)];
    const root = await t.c.post(alice, 'count off');
    const replies = [];
    for (let i = 0; i < 5; i += 1) replies.push(await t.c.post(i % 2 ? alice : bob, `reply ${i}`, root.id));
    await t.c.post(bob, 'a reply to a reply, not direct', replies[0]!.id);
    const listed = await t.c.all(`/posts/${root.id}/replies`, undefined, 2);
    assert.deepEqual(listed.map((p) => p.id), replies.map((p) => p.id));
    assert.equal((await t.c.get(root.id)).repliesCount, 5);
  });

  it('shows the thread above a post root first, and a deleted post ends it', async () => {
    const [alice, bob] = [await registerUser(t.s.auth.url), await registerUser(t.s.auth.url)];
    const chain = [await t.c.post(alice, 'root')];
    for (let i = 1; i < 6; i += 1) chain.push(await t.c.post(i % 2 ? bob : alice, `depth ${i}`, chain[i - 1]!.id));
    const ancestors = await t.c.call(undefined, 'GET', `/posts/${chain[5]!.id}/ancestors`);
    assert.equal(ancestors.status, 200);
    assert.deepEqual(ancestors.body.items.map((p: { id: number }) => p.id), chain.slice(0, 5).map((p) => p.id));
    assert.deepEqual((await t.c.call(undefined, 'GET', `/posts/${chain[0]!.id}/ancestors`)).body, { items: [] });

    assert.equal((await t.c.call(alice, 'DELETE', `/posts/${chain[2]!.id}`)).status, 204);
    const cut = await t.c.call(undefined, 'GET', `/posts/${chain[5]!.id}/ancestors`);
    assert.deepEqual(cut.body.items.map((p: { id: number }) => p.id), [chain[3]!.id, chain[4]!.id]);
  });

  it('stops the thread above at 40 posts, the nearest ones', async () => {
    const alice = await registerUser(t.s.auth.url);
    let parent = await t.c.post(alice, 'depth 0');
    const chain = [parent];
    for (let i = 1; i <= 45; i += 1) chain.push((parent = await t.c.post(alice, `depth ${i}`, parent.id)));
    const res = await t.c.call(undefined, 'GET', `/posts/${parent.id}/ancestors`);
    assert.deepEqual(res.body.items.map((p: { id: number }) => p.id), chain.slice(5, 45).map((p) => p.id));
  });

  it('keeps a deleted post’s replies readable, still naming it', async () => {
    const [alice, bob] = [await registerUser(t.s.auth.url), await registerUser(t.s.auth.url)];
    const root = await t.c.post(alice, 'will go');
    const reply = await t.c.post(bob, 'will stay', root.id);
    assert.equal((await t.c.call(alice, 'DELETE', `/posts/${root.id}`)).status, 204);
    const kept = await t.c.get(reply.id);
    assert.equal(kept.inReplyToId, root.id);
    assert.equal(kept.inReplyToUserId, alice.id);
    assert.deepEqual((await t.c.all(`/posts/${root.id}/replies`)).map((p) => p.id), [reply.id]);
    assert.equal((await t.c.call(undefined, 'GET', `/posts/${root.id}`)).status, 404);
  });

  it('answers 404 for the thread of an unknown post and 400 for a malformed id', async () => {
    for (const path of ['/posts/9007199254740991/ancestors', '/posts/9007199254740991/replies']) {
      const res = await t.c.call(undefined, 'GET', path);
      assert.equal(res.status, 404, path);
      assert.equal(res.body.error.code, 'POST_NOT_FOUND');
    }
    for (const path of ['/posts/0/replies', '/posts/abc/ancestors', '/posts/1e3/replies', '/posts/99999999999999999999/ancestors']) {
      assert.equal((await t.c.call(undefined, 'GET', path)).status, 400, path);
    }
  });

  it('puts a reply to someone else only in the timelines of those who follow them too', async () => {
    const [author, stranger, both, onlyAuthor] = [
      await registerUser(t.s.auth.url),
      await registerUser(t.s.auth.url),
      await registerUser(t.s.auth.url),
      await registerUser(t.s.auth.url),
    ];
    await t.c.follow(both, author);
    await t.c.follow(both, stranger);
    await t.c.follow(onlyAuthor, author);
    await t.c.follow(stranger, author);
    const theirs = await t.c.post(stranger, 'a post by someone');
    const reply = await t.c.post(author, 'a reply to them', theirs.id);
    const myRoot = await t.c.post(author, 'my root');
    const selfReply = await t.c.post(author, 'a thread of my own', myRoot.id);
    const timelineOf = async (reader: typeof author) => (await t.c.all('/timeline', reader)).map((p) => p.id);
    assert.ok((await timelineOf(both)).includes(reply.id));
    assert.ok(!(await timelineOf(onlyAuthor)).includes(reply.id));
    assert.ok((await timelineOf(onlyAuthor)).includes(selfReply.id));
    // The one replied to sees the answer too.
    assert.ok((await timelineOf(stranger)).includes(reply.id));
  });
});
