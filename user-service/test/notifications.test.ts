import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api } from '@murmur/shared/testing';
import type { RegisteredUser } from '@murmur/auth-service/testing';
import { socialSuite } from './social-helpers.js';

interface NotificationAnswer {
  id: number;
  type: string;
  read: boolean;
  account: { id: number; username: string };
  post?: { id: number; text: string };
}

describe('notifications', () => {
  const t = socialSuite();
  const notificationsOf = (user: RegisteredUser, query = '') => t.c.all<NotificationAnswer>(`/notifications${query}`, user);
  const unread = async (user: RegisteredUser) => (await t.c.call(user, 'GET', '/notifications/unread_count')).body.count as number;
  const summary = (list: NotificationAnswer[]) => list.map((n) => [n.type, n.account.id, n.post?.id ?? null]);

  it('tells of a follow, a mention, a reply, a like and a repost, newest first, with who acted and the post', async () => {
    const [alice, bob] = await t.register(2);
    await t.c.follow(bob!, alice!);
    const post = await t.c.post(alice!, 'hello');
    const mention = await t.c.post(bob!, `hi @${alice!.username}`);
    const reply = await t.c.post(bob!, 'a reply', post.id);
    await t.c.call(bob, 'PUT', `/posts/${post.id}/like`);
    await t.c.call(bob, 'PUT', `/posts/${post.id}/repost`);
    const list = await notificationsOf(alice!);
    assert.deepEqual(summary(list), [
      ['repost', bob!.id, post.id],
      ['like', bob!.id, post.id],
      ['reply', bob!.id, reply.id],
      ['mention', bob!.id, mention.id],
      ['follow', bob!.id, null],
    ]);
    assert.ok(list.every((n, i) => i === 0 || n.id < list[i - 1]!.id));
    assert.equal(list[2]!.post!.text, 'a reply');
    assert.deepEqual(await notificationsOf(bob!), []);
  });

  it('notifies nobody of their own actions, and once per type, account and post', async () => {
    const [alice, bob] = await t.register(2);
    const own = await t.c.post(alice!, `me, @${alice!.username}`);
    await t.c.call(alice, 'PUT', `/posts/${own.id}/like`);
    await t.c.call(alice, 'PUT', `/posts/${own.id}/repost`);
    await t.c.post(alice!, 'answering myself', own.id);
    assert.deepEqual(await notificationsOf(alice!), []);

    for (let i = 0; i < 3; i += 1) {
      await t.c.call(bob, 'PUT', `/posts/${own.id}/like`);
      await t.c.call(bob, 'DELETE', `/posts/${own.id}/like`);
      await t.c.follow(bob!, alice!);
      await api(t.s.userUrl, 'POST', `/unfollow?toUnfollowId=${alice!.id}`, { token: bob!.token });
    }
    assert.deepEqual(summary(await notificationsOf(alice!)), [
      ['follow', bob!.id, null],
      ['like', bob!.id, own.id],
    ]);
  });

  it('a reply that also mentions the author replied to notifies them once, as a reply; an edit notifies the newly mentioned', async () => {
    const [alice, bob, carol] = await t.register(3);
    const post = await t.c.post(alice!, 'question');
    const reply = await t.c.post(bob!, `@${alice!.username} answer`, post.id);
    assert.deepEqual(summary(await notificationsOf(alice!)), [['reply', bob!.id, reply.id]]);
    await t.c.call(bob, 'PATCH', `/posts/${reply.id}`, { text: `@${alice!.username} answer, cc @${carol!.username}` });
    assert.deepEqual(summary(await notificationsOf(carol!)), [['mention', bob!.id, reply.id]]);
    assert.equal((await notificationsOf(alice!)).length, 1);
  });

  it('filters by type, counts the unread and marks them read up to an id', async () => {
    const [alice, bob, carol] = await t.register(3);
    await t.c.follow(bob!, alice!);
    const post = await t.c.post(alice!, 'liked twice');
    await t.c.call(bob, 'PUT', `/posts/${post.id}/like`);
    await t.c.call(carol, 'PUT', `/posts/${post.id}/like`);
    await t.c.follow(carol!, alice!);
    assert.deepEqual(summary(await notificationsOf(alice!, '?types=like')), [
      ['like', carol!.id, post.id],
      ['like', bob!.id, post.id],
    ]);
    assert.deepEqual(summary(await notificationsOf(alice!, '?types=follow,like,follow')).map(([type]) => type), ['follow', 'like', 'like', 'follow']);
    assert.equal(await unread(alice!), 4);

    const list = await notificationsOf(alice!);
    assert.equal((await t.c.call(alice, 'POST', '/notifications/read', { upToId: list[1]!.id })).status, 204);
    assert.equal(await unread(alice!), 1);
    assert.deepEqual((await notificationsOf(alice!)).map((n) => n.read), [false, true, true, true]);
    // The marker never goes back, nor past the newest notification.
    await t.c.call(alice, 'POST', '/notifications/read', { upToId: 1 });
    assert.equal(await unread(alice!), 1);
    await t.c.call(alice, 'POST', '/notifications/read', { upToId: 9_007_199_254_740_991 });
    assert.equal(await unread(alice!), 0);
    const [dave] = await t.register(1);
    await t.c.follow(dave!, alice!);
    assert.equal(await unread(alice!), 1, 'a notification made after marking everything read is unread');
  });

  it('drops a notification whose post or account is gone', async () => {
    const [alice, bob, carol] = await t.register(3);
    const post = await t.c.post(alice!, 'short-lived');
    await t.c.call(bob, 'PUT', `/posts/${post.id}/like`);
    await t.c.follow(carol!, alice!);
    assert.equal((await notificationsOf(alice!)).length, 2);
    await t.c.call(alice, 'DELETE', `/posts/${post.id}`);
    await api(t.s.userUrl, 'DELETE', '/delete', { token: carol!.token });
    assert.deepEqual(await notificationsOf(alice!), []);
    assert.equal(await unread(alice!), 0);
  });

  it('answers 400 for unknown types, bad cursors and ids, and 401 without a token', async () => {
    const [alice] = await t.register(1);
    for (const query of ['?types=likes', '?types=', '?types=like,,follow', '?cursor=x', '?limit=0']) {
      assert.equal((await t.c.call(alice, 'GET', `/notifications${query}`)).status, 400, query);
    }
    for (const upToId of [0, -1, 'x', 1.5, null]) {
      const res = await t.c.call(alice, 'POST', '/notifications/read', { upToId });
      assert.equal(res.status, 400, JSON.stringify(upToId));
      assert.equal(res.body.error.field, 'upToId');
    }
    assert.equal((await t.c.call(undefined, 'GET', '/notifications')).status, 401);
    assert.equal((await t.c.call(undefined, 'GET', '/notifications/unread_count')).status, 401);
  });
});
