import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api } from '@murmur/shared/testing';
import type { RegisteredUser } from '@murmur/auth-service/testing';
import { socialSuite } from './social-helpers.js';

describe('likes and reposts', () => {
  const t = socialSuite();
  const timelineIds = async (reader: RegisteredUser) => (await t.c.all('/timeline', reader)).map((p) => p.id);

  it('50 concurrent likes from 50 accounts count exactly 50, and likes again count once', async () => {
    const [author] = await t.register(1);
    const post = await t.c.post(author!, 'like me');
    const fans = await t.register(50);
    const likes = await Promise.all([...fans, ...fans].map((fan) => t.c.call(fan, 'PUT', `/posts/${post.id}/like`)));
    assert.ok(likes.every((res) => res.status === 200 && res.body.liked === true));
    assert.equal((await t.c.get(post.id)).likesCount, 50);
    const likers = await t.c.all<{ id: number }>(`/posts/${post.id}/likes`, undefined, 7);
    assert.equal(likers.length, 50);
    assert.equal(new Set(likers.map((u) => u.id)).size, 50);
  });

  it('shows whether the caller likes the post, and lists likers newest first', async () => {
    const [author, fan, other] = await t.register(3);
    const post = await t.c.post(author!, 'liked by one');
    const liked = await t.c.call(fan, 'PUT', `/posts/${post.id}/like`);
    assert.equal(liked.body.likesCount, 1);
    assert.equal(liked.body.liked, true);
    assert.equal((await t.c.get(post.id, fan)).liked, true);
    assert.equal((await t.c.get(post.id, other)).liked, false);
    assert.equal((await t.c.get(post.id)).liked, false);
    await t.c.call(other, 'PUT', `/posts/${post.id}/like`);
    assert.deepEqual((await t.c.all<{ id: number }>(`/posts/${post.id}/likes`)).map((u) => u.id), [other!.id, fan!.id]);

    const unliked = await t.c.call(fan, 'DELETE', `/posts/${post.id}/like`);
    assert.equal(unliked.status, 200);
    assert.equal(unliked.body.liked, false);
    assert.equal(unliked.body.likesCount, 1);
    assert.equal((await t.c.call(fan, 'DELETE', `/posts/${post.id}/like`)).body.likesCount, 1);
  });

  it('answers 404 for likes and reposts of unknown posts, 400 for malformed ids, 401 without a token', async () => {
    const [user] = await t.register(1);
    for (const [method, path] of [['PUT', 'like'], ['DELETE', 'like'], ['PUT', 'repost'], ['DELETE', 'repost'], ['GET', 'likes']] as const) {
      const res = await t.c.call(user, method, `/posts/9007199254740991/${path}`);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error.code, 'POST_NOT_FOUND');
      assert.equal((await t.c.call(user, method, `/posts/-4/${path}`)).status, 400);
    }
    assert.equal((await t.c.call(undefined, 'PUT', '/posts/1/like')).status, 401);
    assert.equal((await t.c.call(undefined, 'PUT', '/posts/1/repost')).status, 401);
  });

  it('a repost reaches the reposter’s followers once, with repostedBy, and leaves with its undo', async () => {
    const [author, reposter, follower, followsBoth] = await t.register(4);
    await t.c.follow(follower!, reposter!);
    await t.c.follow(followsBoth!, reposter!);
    await t.c.follow(followsBoth!, author!);
    const post = await t.c.post(author!, 'worth passing on');

    const reposted = await t.c.call(reposter, 'PUT', `/posts/${post.id}/repost`);
    assert.equal(reposted.status, 200);
    assert.equal(reposted.body.reposted, true);
    assert.equal(reposted.body.repostsCount, 1);
    assert.equal((await t.c.call(reposter, 'PUT', `/posts/${post.id}/repost`)).body.repostsCount, 1);

    const seen = (await t.c.all('/timeline', follower)).filter((p) => p.id === post.id);
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0]!.repostedBy, { id: reposter!.id, username: reposter!.username, displayName: null, avatarUrl: null });
    // Who has the post already gets it once, as the author's post.
    const both = (await t.c.all('/timeline', followsBoth)).filter((p) => p.id === post.id);
    assert.equal(both.length, 1);
    assert.equal(both[0]!.repostedBy, undefined);
    const onProfile = await t.c.all(`/users/${reposter!.id}/posts`);
    assert.equal(onProfile[0]!.id, post.id);
    assert.equal(onProfile[0]!.repostedBy?.id, reposter!.id);
    assert.equal((await t.c.get(post.id, reposter)).reposted, true);

    const undone = await t.c.call(reposter, 'DELETE', `/posts/${post.id}/repost`);
    assert.equal(undone.body.reposted, false);
    assert.equal(undone.body.repostsCount, 0);
    assert.ok(!(await timelineIds(follower!)).includes(post.id));
    assert.ok((await timelineIds(followsBoth!)).includes(post.id));
    assert.deepEqual(await t.c.all(`/users/${reposter!.id}/posts`), []);
  });

  it('two reposts of one post put it in a common follower’s timeline once', async () => {
    const [author, first, second, reader] = await t.register(4);
    await t.c.follow(reader!, first!);
    await t.c.follow(reader!, second!);
    const post = await t.c.post(author!, 'popular');
    await t.c.call(first, 'PUT', `/posts/${post.id}/repost`);
    await t.c.call(second, 'PUT', `/posts/${post.id}/repost`);
    const seen = (await t.c.all('/timeline', reader)).filter((p) => p.id === post.id);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.repostedBy?.id, first!.id);
    assert.equal(seen[0]!.repostsCount, 2);
    // A new follow of a reposter brings their repost in, once.
    const [late] = await t.register(1);
    await t.c.follow(late!, first!);
    await t.c.follow(late!, second!);
    assert.equal((await t.c.all('/timeline', late)).filter((p) => p.id === post.id).length, 1);
  });

  it('deleting a post takes its reposts out of every timeline', async () => {
    const [author, reposter, follower] = await t.register(3);
    await t.c.follow(follower!, reposter!);
    const post = await t.c.post(author!, 'short-lived');
    await t.c.call(reposter, 'PUT', `/posts/${post.id}/repost`);
    assert.ok((await timelineIds(follower!)).includes(post.id));
    assert.equal((await t.c.call(author, 'DELETE', `/posts/${post.id}`)).status, 204);
    assert.ok(!(await timelineIds(follower!)).includes(post.id));
    assert.deepEqual(await t.c.all(`/users/${reposter!.id}/posts`), []);
  });

  it('a deleted account’s likes and reposts leave every count and timeline; its replies go with it', async () => {
    const [author, leaver, follower] = await t.register(3);
    await t.c.follow(follower!, leaver!);
    const post = await t.c.post(author!, 'liked, reposted and answered');
    await t.c.call(leaver, 'PUT', `/posts/${post.id}/like`);
    await t.c.call(leaver, 'PUT', `/posts/${post.id}/repost`);
    await t.c.post(leaver!, 'a reply that goes', post.id);
    const before = await t.c.get(post.id);
    assert.deepEqual([before.likesCount, before.repostsCount, before.repliesCount], [1, 1, 1]);
    assert.ok((await timelineIds(follower!)).includes(post.id));

    assert.equal((await api(t.s.userUrl, 'DELETE', '/delete', { token: leaver!.token })).status, 204);
    const afterwards = await t.c.get(post.id);
    assert.deepEqual([afterwards.likesCount, afterwards.repostsCount, afterwards.repliesCount], [0, 0, 0]);
    assert.deepEqual(await t.c.all(`/posts/${post.id}/likes`), []);
    assert.deepEqual(await t.c.all(`/posts/${post.id}/replies`), []);
    assert.ok(!(await timelineIds(follower!)).includes(post.id));
  });
});
