import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { testDatabaseUrl, uniqueName, type ApiResponse } from '@murmur/shared/testing';
import type { RegisteredUser } from '@murmur/auth-service/testing';
import { socialSuite, type PostAnswer } from './social-helpers.js';

/** A word, or a tag, that no other test's posts hold: letters and digits only. */
const uniqueWord = (prefix: string) => uniqueName(prefix).replace(/_/g, '');

/** An item of a list of accounts (likers, followers, people search) or of notifications. */
interface Listed {
  id: number;
  account?: { id: number };
}

describe('what blocks, mutes and suspensions hide', () => {
  const t = socialSuite();
  let db: pg.Pool;
  before(() => {
    db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  });
  after(() => db.end());

  /** New accounts, one per name. */
  const people = async <K extends string>(...names: K[]): Promise<Record<K, RegisteredUser>> => {
    const accounts = await t.register(names.length);
    return Object.fromEntries(names.map((name, i) => [name, accounts[i]])) as Record<K, RegisteredUser>;
  };
  const call = (user: RegisteredUser | undefined, method: string, path: string, body?: unknown) => t.c.call(user, method, path, body);
  const ok = async (res: Promise<ApiResponse>, what: string) => {
    const answer = await res;
    assert.ok(answer.status < 300, `${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  };
  const follow = (who: RegisteredUser, whom: RegisteredUser) => ok(t.c.follow(who, whom), 'follow');
  const block = (who: RegisteredUser, whom: RegisteredUser) => ok(call(who, 'PUT', `/users/${whom.id}/block`), 'block');
  const unblock = (who: RegisteredUser, whom: RegisteredUser) => ok(call(who, 'DELETE', `/users/${whom.id}/block`), 'unblock');
  const mute = (who: RegisteredUser, whom: RegisteredUser, body?: unknown) => ok(call(who, 'PUT', `/users/${whom.id}/mute`, body), 'mute');
  const like = (who: RegisteredUser, post: PostAnswer) => ok(call(who, 'PUT', `/posts/${post.id}/like`), 'like');
  const repost = (who: RegisteredUser, post: PostAnswer) => ok(call(who, 'PUT', `/posts/${post.id}/repost`), 'repost');
  const suspend = (user: RegisteredUser, suspended: boolean) =>
    db.query(`UPDATE users SET suspended_at = ${suspended ? 'now()' : 'NULL'} WHERE id = $1`, [user.id]);
  /** Whether `reader`'s stored timeline has a row of post `postId` (a post or a repost's row). */
  const feedHas = async (reader: RegisteredUser, postId: number) =>
    (await db.query('SELECT 1 FROM home_feed WHERE reader_id = $1 AND post_id = $2', [reader.id, postId])).rows.length > 0;
  const notificationsFrom = async (actor: RegisteredUser, recipient: RegisteredUser) =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM notifications WHERE account_id = $1 AND recipient_id = $2', [actor.id, recipient.id])).rows[0]!.n);
  const unread = async (user: RegisteredUser) => (await call(user, 'GET', '/notifications/unread_count')).body.count as number;
  const notFound = async (res: Promise<ApiResponse>, code: string, what: string) => {
    const answer = await res;
    assert.deepEqual([answer.status, answer.body.error?.code], [404, code], `${what}: ${JSON.stringify(answer.body)}`);
  };
  /** The accounts a list of posts shows: each post's author, and its reposter. */
  const postAccounts = (posts: PostAnswer[]) => posts.flatMap((p) => [p.author.id, ...(p.repostedBy ? [p.repostedBy.id] : [])]);
  const postIds = async (path: string, viewer?: RegisteredUser) => (await t.c.all(path, viewer)).map((p) => p.id);

  /**
   * Walks `path` a page of `limit` at a time as `viewer`: every page but the last is full, the
   * last says there is no more, and the items are `expected` in order.
   */
  const pagesAre = async (path: string, viewer: RegisteredUser, expected: number[], limit = 2, idOf = (item: Listed) => item.id) => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const res: ApiResponse = await call(viewer, 'GET', `${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const items = (res.body.items as Listed[]).map(idOf);
      cursor = res.body.nextCursor as string | null;
      if (cursor !== null) assert.equal(items.length, limit, `${path}: a page before the last is full`);
      seen.push(...items);
    } while (cursor !== null);
    assert.deepEqual(seen, expected, path);
  };

  /**
   * A conversation of three accounts, `left` and `right` (who will come apart) and `middle`, that
   * puts each of them in every list: a post of `middle` with a tag and a word, replies to it by
   * the other two (each with a reply of `middle` under it), likes, follows both ways with
   * `middle`, a repost by `middle` of each reply, and notifications between `left` and `right`.
   */
  async function conversation() {
    const { left, middle, right } = await people('left', 'middle', 'right');
    const tag = uniqueWord('t');
    const word = uniqueWord('w');
    for (const [a, b] of [
      [left, middle],
      [middle, left],
      [right, middle],
      [middle, right],
      [right, left],
    ] as const) {
      await follow(a, b);
    }
    const root = await t.c.post(middle, `a question ${word} #${tag}`);
    const leftReply = await t.c.post(left, `an answer ${word} #${tag}`, root.id);
    const rightReply = await t.c.post(right, `another answer ${word} #${tag}`, root.id);
    const underLeft = await t.c.post(middle, 'thanks', leftReply.id);
    const underRight = await t.c.post(middle, 'thanks too', rightReply.id);
    for (const who of [left, right]) await like(who, root);
    await like(right, leftReply);
    await like(left, rightReply);
    await repost(middle, leftReply);
    await repost(middle, rightReply);
    return { left, middle, right, tag, word, root, leftReply, rightReply, underLeft, underRight };
  }
  type Conversation = Awaited<ReturnType<typeof conversation>>;

  /** The accounts `viewer` (anonymous when undefined) meets in each list the conversation fills. */
  async function accountsSeen(c: Conversation, viewer?: RegisteredUser): Promise<Record<string, number[]>> {
    const accounts = async (path: string) => (await t.c.all<Listed>(path, viewer)).map((item) => item.id);
    const seen: Record<string, number[]> = {
      replies: postAccounts(await t.c.all(`/posts/${c.root.id}/replies`, viewer)),
      ancestors: [],
      tag: postAccounts(await t.c.all(`/tags/${c.tag}/posts`, viewer)),
      postSearch: postAccounts(await t.c.all(`/posts/search?q=${c.word}`, viewer)),
      peopleSearch: [...(await accounts(`/users/search?q=${c.left.username}`)), ...(await accounts(`/users/search?q=${c.right.username}`))],
      likers: await accounts(`/posts/${c.root.id}/likes`),
      followers: await accounts(`/users/${c.middle.id}/followers`),
      following: await accounts(`/users/${c.middle.id}/following`),
    };
    for (const under of [c.underLeft, c.underRight]) {
      const res = await call(viewer, 'GET', `/posts/${under.id}/ancestors`);
      assert.equal(res.status, 200);
      seen.ancestors!.push(...postAccounts(res.body.items as PostAnswer[]));
    }
    if (viewer) {
      seen.timeline = postAccounts(await t.c.all('/timeline', viewer));
      seen.notifications = (await t.c.all<Listed>('/notifications', viewer)).map((n) => n.account!.id);
    }
    return seen;
  }

  /** The lists of `seen` that show `account`. */
  const listsShowing = (seen: Record<string, number[]>, account: RegisteredUser) =>
    Object.entries(seen)
      .filter(([, ids]) => ids.includes(account.id))
      .map(([list]) => list);

  describe('a block', () => {
    it('hides each side from the other in every list, whoever blocked, while third parties and logged-out visitors see both', async () => {
      const c = await conversation();
      const everyList = Object.keys(await accountsSeen(c, c.middle));
      assert.deepEqual(listsShowing(await accountsSeen(c, c.left), c.right), everyList, 'before the block, each list shows the other');
      assert.deepEqual(listsShowing(await accountsSeen(c, c.right), c.left), everyList, 'and the other way round');

      await block(c.left, c.right);
      assert.deepEqual(listsShowing(await accountsSeen(c, c.left), c.right), [], 'the blocker meets the blocked account nowhere');
      assert.deepEqual(listsShowing(await accountsSeen(c, c.right), c.left), [], 'the blocked account meets the blocker nowhere');
      const middleSees = await accountsSeen(c, c.middle);
      for (const side of [c.left, c.right]) assert.deepEqual(listsShowing(middleSees, side), everyList, 'a third party still sees both');
      const anonymous = await accountsSeen(c);
      for (const side of [c.left, c.right]) {
        assert.deepEqual(listsShowing(anonymous, side), Object.keys(anonymous), 'a logged-out visitor sees both');
      }

      // One post, and an account's posts: 404 to the blocked side; the blocker finds an empty list.
      await notFound(call(c.right, 'GET', `/posts/${c.leftReply.id}`), 'POST_NOT_FOUND', 'the blocker’s post, to the blocked');
      await notFound(call(c.left, 'GET', `/posts/${c.rightReply.id}`), 'POST_NOT_FOUND', 'the blocked account’s post, to the blocker');
      for (const list of ['replies', 'ancestors', 'likes', 'edits']) {
        await notFound(call(c.right, 'GET', `/posts/${c.leftReply.id}/${list}`), 'POST_NOT_FOUND', `${list} of the blocker’s post, to the blocked`);
      }
      await notFound(call(c.right, 'GET', `/users/${c.left.id}/posts`), 'USER_NOT_FOUND', 'the blocker’s posts, to the blocked');
      assert.deepEqual(await postIds(`/users/${c.right.id}/posts`, c.left), [], 'the blocker finds no post of whom they block');
      assert.deepEqual(await postIds(`/users/${c.left.id}/posts`), [c.leftReply.id], 'logged out, the blocker’s posts show');
      assert.equal((await t.c.get(c.leftReply.id)).id, c.leftReply.id);

      await unblock(c.left, c.right);
      const after = await accountsSeen(c, c.left);
      for (const list of ['replies', 'ancestors', 'tag', 'postSearch', 'peopleSearch', 'likers', 'notifications']) {
        assert.ok(after[list]!.includes(c.right.id), `${list} shows the account again once unblocked`);
      }
    });

    it('keeps a repost out of the timelines of those blocked either way with the original’s author, and their notifications unmade', async () => {
      const { reader, friend, blocked, blocker } = await people('reader', 'friend', 'blocked', 'blocker');
      await follow(reader, friend);
      await follow(friend, reader);
      const blockedPost = await t.c.post(blocked, 'by the account the reader blocks');
      const blockerPost = await t.c.post(blocker, 'by an account that blocks the reader');
      await block(reader, blocked);
      await block(blocker, reader);
      await repost(friend, blockedPost);
      await repost(friend, blockerPost);
      const reposts = await db.query<{ id: string }>('SELECT id FROM posts WHERE author_id = $1 AND repost_of_id IS NOT NULL', [friend.id]);
      assert.equal(reposts.rows.length, 2);
      for (const { id } of reposts.rows) {
        assert.equal(await feedHas(reader, Number(id)), false, 'no timeline row (and so no live event) for the reader');
        assert.equal(await feedHas(friend, Number(id)), true, 'the reposter has it');
      }
      assert.deepEqual(await postIds('/timeline', reader), []);

      // A block hides the notifications made before it, and no more are made.
      const readerPost = await t.c.post(reader, 'hello');
      await like(friend, readerPost);
      const before = await unread(reader);
      await block(reader, friend);
      assert.equal(await unread(reader), before - 2, 'the follow and the like of a newly blocked account are no longer counted');
      assert.deepEqual(await t.c.all('/notifications', reader), []);
      await notFound(call(friend, 'DELETE', `/posts/${readerPost.id}/like`), 'POST_NOT_FOUND', 'an unlike of a post no longer shown');
      await unblock(reader, friend);
      await ok(call(friend, 'DELETE', `/posts/${readerPost.id}/like`), 'unlike');
      await block(friend, reader);
      assert.equal((await call(friend, 'PUT', `/posts/${readerPost.id}/like`)).status, 403);
      assert.equal(await notificationsFrom(friend, reader), 2, 'nothing more was made');
    });
  });

  describe('a mute', () => {
    it('hides the muted account’s posts and reposts from the timeline alone, keeps the follow, and hides its notifications', async () => {
      const { reader, muted, friend } = await people('reader', 'muted', 'friend');
      await follow(reader, muted);
      await follow(reader, friend);
      const word = uniqueWord('w');
      const mutedPost = await t.c.post(muted, `muted words ${word}`);
      await repost(friend, mutedPost);
      const friendPost = await t.c.post(friend, 'still here');
      const readerPost = await t.c.post(reader, 'mine');
      await follow(muted, reader);
      await like(muted, readerPost);
      await repost(muted, readerPost);
      const mutedReply = await t.c.post(muted, `@${reader.username} a reply`, readerPost.id);
      assert.deepEqual(await postIds('/timeline', reader), [mutedReply.id, readerPost.id, friendPost.id, mutedPost.id]);
      assert.equal(await unread(reader), 4, 'a follow, a like, a repost and a reply');

      const res = await mute(reader, muted);
      assert.deepEqual([res.body.relationship.following, res.body.relationship.muting], [true, true], 'the follow stays');
      assert.deepEqual(await postIds('/timeline', reader), [readerPost.id, friendPost.id], 'neither its posts nor reposts of them');
      assert.deepEqual(await t.c.all('/notifications', reader), []);
      assert.equal(await unread(reader), 0);

      // Written after the mute: no timeline row (and so no live event), no notification.
      const later = await t.c.post(muted, 'after the mute');
      const laterRepost = await repost(friend, later);
      assert.equal(laterRepost.status, 200);
      assert.equal(await feedHas(reader, later.id), false, 'the fan-out skips a reader who muted the author');
      const friendRepostId = (await db.query<{ id: string }>('SELECT id FROM posts WHERE author_id = $1 AND repost_of_id = $2', [friend.id, later.id])).rows[0]!.id;
      assert.equal(await feedHas(reader, Number(friendRepostId)), false, '… and a repost of the muted author’s post');
      const another = await t.c.post(reader, 'another');
      await like(muted, another);
      assert.equal(await notificationsFrom(muted, reader), 4, 'a muted account’s like notifies nobody');

      // Everywhere else the muted account shows as before.
      assert.deepEqual(await postIds(`/users/${muted.id}/posts`, reader), [later.id, mutedReply.id, readerPost.id, mutedPost.id]);
      assert.deepEqual(await postIds(`/posts/search?q=${word}`, reader), [mutedPost.id]);
      assert.deepEqual(await postIds(`/posts/${readerPost.id}/replies`, reader), [mutedReply.id]);
      assert.equal((await t.c.get(later.id, reader)).id, later.id);

      // Posts alone: the notifications come back, the timeline stays as it is.
      await mute(reader, muted, { notifications: false });
      const shown = (await t.c.all<Listed>('/notifications', reader)).map((n) => n.account!.id);
      assert.deepEqual(shown, [muted.id, muted.id, muted.id, muted.id]);
      assert.deepEqual(await postIds('/timeline', reader), [another.id, readerPost.id, friendPost.id]);
      await ok(call(muted, 'DELETE', `/posts/${another.id}/like`), 'unlike');
      await like(muted, another);
      assert.equal(await notificationsFrom(muted, reader), 5, 'a mute of posts alone lets notifications be made');
    });
  });

  describe('a suspended account', () => {
    it('is hidden from every list and its posts and profile posts are 404, for everyone, until the suspension ends', async () => {
      const c = await conversation();
      const viewers = { anonymous: undefined, middle: c.middle, left: c.left };
      const before = new Map<string, Record<string, number[]>>();
      for (const [name, viewer] of Object.entries(viewers)) before.set(name, await accountsSeen(c, viewer));
      assert.deepEqual(listsShowing(before.get('middle')!, c.right), Object.keys(before.get('middle')!));

      await suspend(c.right, true);
      for (const [name, viewer] of Object.entries(viewers)) {
        assert.deepEqual(listsShowing(await accountsSeen(c, viewer), c.right), [], `${name} meets the suspended account nowhere`);
        await notFound(call(viewer, 'GET', `/posts/${c.rightReply.id}`), 'POST_NOT_FOUND', `${name}: its post`);
        for (const list of ['replies', 'ancestors', 'likes', 'edits']) {
          await notFound(call(viewer, 'GET', `/posts/${c.rightReply.id}/${list}`), 'POST_NOT_FOUND', `${name}: ${list} of its post`);
        }
        await notFound(call(viewer, 'GET', `/users/${c.right.id}/posts`), 'USER_NOT_FOUND', `${name}: its posts`);
      }
      await notFound(call(c.left, 'PUT', `/posts/${c.rightReply.id}/like`), 'POST_NOT_FOUND', 'a like of its post');
      await notFound(call(c.left, 'PUT', `/posts/${c.rightReply.id}/repost`), 'POST_NOT_FOUND', 'a repost of its post');
      await notFound(call(c.left, 'POST', '/posts', { text: 'hi', inReplyToId: c.rightReply.id }), 'POST_NOT_FOUND', 'a reply to its post');

      await suspend(c.right, false);
      for (const [name, viewer] of Object.entries(viewers)) {
        assert.deepEqual(await accountsSeen(c, viewer), before.get(name), `${name} sees everything again once the suspension ends`);
      }
      assert.equal((await t.c.get(c.rightReply.id, c.left)).id, c.rightReply.id);
    });
  });

  describe('pages', () => {
    it('come full, with a cursor that goes on past the hidden rows, in every list', async () => {
      const { reader, friend, hidden, author } = await people('reader', 'friend', 'hidden', 'author');
      const tag = uniqueWord('t');
      const word = uniqueWord('w');
      for (const whom of [friend, hidden, author]) await follow(reader, whom);
      const root = await t.c.post(author, 'a question');
      const mine = await t.c.post(reader, 'mine');
      const shown: number[] = [];
      // Two hidden rows before each shown one, in every list at once.
      for (let i = 0; i < 3; i += 1) {
        for (let j = 0; j < 2; j += 1) await t.c.post(hidden, `hidden ${i}.${j} ${word} #${tag}`, root.id);
        shown.push((await t.c.post(friend, `shown ${i} ${word} #${tag}`, root.id)).id);
      }
      for (const who of [friend, hidden]) {
        await like(who, mine);
        await like(who, root);
        await follow(who, author);
      }
      const newestFirst = [...shown].reverse();
      // The timeline hides a muted account; every list a blocked one.
      await mute(reader, hidden);
      await pagesAre('/timeline', reader, [...newestFirst, mine.id, root.id]);
      await block(reader, hidden);
      await pagesAre('/timeline', reader, [...newestFirst, mine.id, root.id]);
      await pagesAre(`/posts/${root.id}/replies`, reader, shown);
      await pagesAre(`/tags/${tag}/posts`, reader, newestFirst);
      await pagesAre(`/posts/search?q=${word}`, reader, newestFirst);
      await pagesAre(`/posts/${root.id}/likes`, reader, [friend.id], 1);
      await pagesAre(`/users/${author.id}/followers`, reader, [friend.id, reader.id], 1);
      await pagesAre('/notifications', reader, [friend.id], 1, (n) => n.account!.id);
    });
  });
});
