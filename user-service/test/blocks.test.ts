import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { subscribeAuthEvents, type AuthEvent, type AuthEventsSubscriber } from '@murmur/shared/auth';
import { PgListener } from '@murmur/shared/db';
import { LIVE_EVENTS_CHANNEL, decodeNotifiedLiveEvent } from '@murmur/shared/live-events';
import { createLogger } from '@murmur/shared/logger';
import { testDatabaseUrl, within, type ApiResponse } from '@murmur/shared/testing';
import type { RegisteredUser } from '@murmur/auth-service/testing';
import { socialSuite, type PostAnswer } from './social-helpers.js';

/** A follow brings 3 posts in, so that an unmute's backfill has a bound to show. */
const BACKFILL_POSTS = 3;

/** Everything a channel has carried since the suite started, and a wait for the first that matches. */
class Heard<T> {
  private readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  add(item: T): void {
    this.items.push(item);
    for (const wake of this.waiters) wake();
  }

  /** The first `count` items that match, once there are as many. */
  waitFor(matches: (item: T) => boolean, what: string, count = 1): Promise<T[]> {
    const found = new Promise<T[]>((resolve) => {
      const check = () => {
        const items = this.filter(matches);
        if (items.length < count) return;
        this.waiters.delete(check);
        resolve(items.slice(0, count));
      };
      this.waiters.add(check);
      check();
    });
    return within(found, 5_000, what);
  }

  filter(matches: (item: T) => boolean): T[] {
    return this.items.filter(matches);
  }
}

/** A live event as user-service sent it: the people it is for and what it says. */
interface HeardLiveEvent {
  userIds: number[];
  type: string;
  postId?: number;
  notification?: { type: string; account: { id: number } };
}

/** A tuple of `N` accounts, so that each name a test destructures is defined. */
type Accounts<N extends number, A extends RegisteredUser[] = []> = A['length'] extends N ? A : Accounts<N, [...A, RegisteredUser]>;

const relationship = (id: number, flags: Partial<Record<string, boolean>> = {}) => ({
  id,
  following: false,
  followedBy: false,
  blocking: false,
  blockedBy: false,
  muting: false,
  mutingNotifications: false,
  ...flags,
});

const assertBlocked = (res: ApiResponse, what: string) => {
  assert.equal(res.status, 403, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.error.code, 'BLOCKED', what);
};

describe('blocks and mutes', () => {
  const t = socialSuite({ TIMELINE_BACKFILL_POSTS: String(BACKFILL_POSTS) });
  let db: pg.Pool;
  let authEvents: AuthEventsSubscriber;
  let liveListener: PgListener;
  const auth = new Heard<AuthEvent>();
  const live = new Heard<HeardLiveEvent>();
  before(async () => {
    db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
    const logger = createLogger('blocks-test', 'silent');
    authEvents = await subscribeAuthEvents(testDatabaseUrl(), logger);
    authEvents.on('auth_event', (event) => auth.add(event));
    liveListener = new PgListener(testDatabaseUrl(), [LIVE_EVENTS_CHANNEL], logger);
    liveListener.on('notification', (_channel, payload) => {
      const decoded = decodeNotifiedLiveEvent(payload);
      if (decoded) live.add({ userIds: decoded.userIds, ...(JSON.parse(decoded.event.json) as Omit<HeardLiveEvent, 'userIds'>) });
    });
    await liveListener.start();
  });
  after(async () => {
    await liveListener.stop();
    await authEvents.stop();
    await db.end();
  });

  const register = async <N extends number>(n: N) => (await t.register(n)) as Accounts<N>;
  const call = (user: RegisteredUser | undefined, method: string, path: string, body?: unknown) => t.c.call(user, method, path, body);
  const block = (who: RegisteredUser, whom: RegisteredUser) => call(who, 'PUT', `/users/${whom.id}/block`);
  const unblock = (who: RegisteredUser, whom: RegisteredUser) => call(who, 'DELETE', `/users/${whom.id}/block`);
  const mute = (who: RegisteredUser, whom: RegisteredUser, body?: unknown) => call(who, 'PUT', `/users/${whom.id}/mute`, body);
  const unmute = (who: RegisteredUser, whom: RegisteredUser) => call(who, 'DELETE', `/users/${whom.id}/mute`);
  const follow = async (who: RegisteredUser, whom: RegisteredUser) => assert.equal((await t.c.follow(who, whom)).status, 200);
  const reply = (who: RegisteredUser, to: PostAnswer, text = 'a reply') => call(who, 'POST', '/posts', { text, inReplyToId: to.id });
  const like = (who: RegisteredUser, post: PostAnswer) => call(who, 'PUT', `/posts/${post.id}/like`);
  const timelineIds = async (reader: RegisteredUser) => (await t.c.all('/timeline', reader)).map((p) => p.id);
  const seenBy = async (viewer: RegisteredUser, user: RegisteredUser) => (await call(viewer, 'GET', `/users/${user.id}`)).body.relationship;
  const followsBetween = async (a: RegisteredUser, b: RegisteredUser) =>
    Number(
      (
        await db.query<{ n: string }>(
          'SELECT count(*) AS n FROM follows WHERE (follower_id = $1 AND followee_id = $2) OR (follower_id = $2 AND followee_id = $1)',
          [a.id, b.id],
        )
      ).rows[0]!.n,
    );

  describe('blocks', () => {
    it('a block answers the relationship, blocking twice keeps one block, and unblocking (twice too) undoes it', async () => {
      const [alice, bob] = await register(2);
      for (let i = 0; i < 2; i += 1) {
        const res = await block(alice, bob);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { relationship: relationship(bob.id, { blocking: true }) });
      }
      const blocks = await t.c.all<{ id: number; blockedAt: string }>('/blocks', alice);
      assert.deepEqual(
        blocks.map((b) => b.id),
        [bob.id],
      );
      assert.equal(await seenBy(bob, bob), null);
      for (let i = 0; i < 2; i += 1) {
        const res = await unblock(alice, bob);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { relationship: relationship(bob.id) });
      }
      assert.deepEqual(await t.c.all('/blocks', alice), []);
    });

    it('sends block_changed when a block is made and when it is undone, and nothing when nothing changed', async () => {
      const [alice, bob] = await register(2);
      for (const change of [block, block, unblock, unblock, block]) await change(alice, bob);
      const pair = (e: AuthEvent) => e.type === 'block_changed' && e.blockerId === alice.id && e.blockedId === bob.id;
      // Events arrive in commit order: one sent by a call that changed nothing would come before the last.
      const changes = await auth.waitFor(pair, 'three changes', 3);
      assert.deepEqual(
        changes.map((e) => e.type === 'block_changed' && e.blocked),
        [true, false, true],
      );
    });

    it('answers 400 for oneself or a bad id, 404 for an unknown user, and 401 without a token', async () => {
      const [alice] = await register(1);
      for (const method of ['PUT', 'DELETE']) {
        const self = await call(alice, method, `/users/${alice.id}/block`);
        assert.deepEqual([self.status, self.body.error.code], [400, 'CANNOT_BLOCK_SELF'], method);
        const unknown = await call(alice, method, '/users/2000000000/block');
        assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'USER_NOT_FOUND'], method);
        const bad = await call(alice, method, '/users/x/block');
        assert.deepEqual([bad.status, bad.body.error.field], [400, 'id'], method);
        assert.equal((await call(undefined, method, `/users/${alice.id}/block`)).status, 401, method);
      }
      assert.equal((await call(undefined, 'GET', '/blocks')).status, 401);
    });

    it('ends the follows both ways, takes each one’s posts out of the other’s timeline (live too), and unblocking restores no follow', async () => {
      const [alice, bob] = await register(2);
      await follow(alice, bob);
      await follow(bob, alice);
      const fromAlice = await t.c.post(alice, 'from alice');
      const fromBob = await t.c.post(bob, 'from bob');
      assert.ok((await timelineIds(alice)).includes(fromBob.id));
      assert.ok((await timelineIds(bob)).includes(fromAlice.id));

      const res = await block(alice, bob);
      assert.deepEqual(res.body, { relationship: relationship(bob.id, { blocking: true }) });
      assert.equal(await followsBetween(alice, bob), 0);
      assert.deepEqual(await timelineIds(alice), [fromAlice.id]);
      assert.deepEqual(await timelineIds(bob), [fromBob.id]);
      await live.waitFor((e) => e.type === 'timeline_delete' && e.postId === fromBob.id && e.userIds.includes(alice.id), 'alice’s timeline_delete');
      await live.waitFor((e) => e.type === 'timeline_delete' && e.postId === fromAlice.id && e.userIds.includes(bob.id), 'bob’s timeline_delete');

      await unblock(alice, bob);
      assert.equal(await followsBetween(alice, bob), 0, 'the follows stay ended');
      assert.deepEqual(await seenBy(alice, bob), relationship(bob.id));
      await follow(bob, alice);
      assert.deepEqual(await seenBy(alice, bob), relationship(bob.id, { followedBy: true }));
    });

    it('refuses a follow, reply, like, repost or mention between the two, whichever blocked whom, with 403 BLOCKED', async () => {
      const [alice, bob] = await register(2);
      const alicePost = await t.c.post(alice, 'alice writes');
      const bobPost = await t.c.post(bob, 'bob writes');
      await block(alice, bob);
      for (const [who, other, post] of [
        [bob, alice, alicePost],
        [alice, bob, bobPost],
      ] as const) {
        assertBlocked(await t.c.follow(who, other), `${who.username} follows`);
        assertBlocked(await reply(who, post), `${who.username} replies`);
        assertBlocked(await like(who, post), `${who.username} likes`);
        assertBlocked(await call(who, 'PUT', `/posts/${post.id}/repost`), `${who.username} reposts`);
        assertBlocked(await call(who, 'POST', '/posts', { text: `hello @${other.username}` }), `${who.username} mentions`);
      }
      assert.equal(await followsBetween(alice, bob), 0);
      assert.equal((await t.c.get(alicePost.id)).repliesCount, 0);

      await unblock(alice, bob);
      await follow(bob, alice);
      assert.equal((await reply(bob, alicePost)).status, 201);
      assert.equal((await like(bob, alicePost)).status, 200);
      assert.equal((await call(bob, 'POST', '/posts', { text: `hello @${alice.username}` })).status, 201);
    });

    it('shows both sides the relationship: the blocker sees `blocking`, and the blocked account gets 404 for the blocker’s profile and posts', async () => {
      const [alice, bob] = await register(2);
      const alicePost = await t.c.post(alice, 'alice, public');
      const bobPost = await t.c.post(bob, 'bob, public');
      await block(alice, bob);

      const blockerView = await call(alice, 'GET', `/users/${bob.id}`);
      assert.equal(blockerView.status, 200, 'the blocker still sees whom they block, to unblock them');
      assert.deepEqual(blockerView.body.relationship, relationship(bob.id, { blocking: true }));

      const blockedView = await call(bob, 'GET', `/users/${alice.id}`);
      assert.deepEqual([blockedView.status, blockedView.body.error?.code], [404, 'USER_NOT_FOUND']);
      assert.equal((await call(bob, 'GET', `/posts/${alicePost.id}`)).status, 404, 'the blocker’s post, to the blocked account');
      assert.equal((await call(bob, 'GET', `/users/${alice.id}/posts`)).status, 404, 'the blocker’s posts, to the blocked account');
      assert.equal((await call(bob, 'GET', `/users/${alice.id}/followers`)).status, 404, 'the blocker’s followers, to the blocked account');
      assert.equal((await call(alice, 'GET', `/users/${bob.id}/followers`)).status, 200, 'the blocked account’s followers, to the blocker');

      // Logged out, both are visible as to anyone.
      assert.equal((await call(undefined, 'GET', `/users/${alice.id}`)).status, 200);
      assert.equal((await call(undefined, 'GET', `/users/${bob.id}`)).status, 200);
      assert.equal((await call(undefined, 'GET', `/posts/${alicePost.id}`)).status, 200);
      assert.equal((await call(undefined, 'GET', `/posts/${bobPost.id}`)).status, 200);

      // Blocked both ways, neither sees the other's profile.
      await block(bob, alice);
      assert.equal((await call(alice, 'GET', `/users/${bob.id}`)).status, 404);
      await unblock(bob, alice);
      await unblock(alice, bob);
      assert.deepEqual(await seenBy(bob, alice), relationship(alice.id));
    });

    it('lists the accounts the caller blocks, newest block first, a page at a time', async () => {
      const [alice, ...others] = await register(4);
      for (const other of others) await block(alice, other);
      const first = await call(alice, 'GET', '/blocks?limit=2');
      assert.equal(first.status, 200);
      const [newest] = first.body.items;
      const expected = others[2];
      assert.deepEqual({ ...newest, blockedAt: undefined }, {
        id: expected.id,
        username: expected.username,
        displayName: null,
        avatarUrl: null,
        blockedAt: undefined,
      });
      assert.ok(!Number.isNaN(Date.parse(newest.blockedAt)));
      const rest = await call(alice, 'GET', `/blocks?limit=2&cursor=${first.body.nextCursor}`);
      assert.deepEqual(
        [...first.body.items, ...rest.body.items].map((a: { id: number }) => a.id),
        others.map((o) => o.id).reverse(),
      );
      assert.equal(rest.body.nextCursor, null);
      assert.deepEqual(await t.c.all('/blocks', others[0]), [], 'being blocked is not in one’s own list');
      assert.equal((await call(alice, 'GET', '/blocks?cursor=x')).status, 400);
    });

    it('a block landing among concurrent follows, replies and likes of the blocked account wins: no follow is left, a refused write leaves nothing, and every refusal is 403 BLOCKED', async () => {
      for (let round = 0; round < 3; round += 1) {
        const [alice, bob] = await register(2);
        const posts: PostAnswer[] = [];
        for (let i = 0; i < 7; i += 1) posts.push(await t.c.post(alice, `alice ${i}`));
        const writes = [
          ...Array.from({ length: 6 }, () => ({ kind: 'follow', run: () => t.c.follow(bob, alice) })),
          ...posts.map((post) => ({ kind: 'reply', run: () => reply(bob, post, `@${alice.username} a reply`) })),
          ...posts.map((post) => ({ kind: 'like', run: () => like(bob, post) })),
        ];
        // The block is sent among the writes: some land before it, some wait for it.
        const early = writes.slice(0, 10).map((write) => write.run());
        const blocking = block(alice, bob);
        const late = writes.slice(10).map((write) => write.run());
        const [blockAnswer, answers] = await Promise.all([blocking, Promise.all([...early, ...late])]);
        assert.equal(blockAnswer.status, 200);
        const made = { reply: 0, like: 0 };
        for (const [i, answer] of answers.entries()) {
          const { kind } = writes[i]!;
          if (answer.status === 403) assert.equal(answer.body.error.code, 'BLOCKED', kind);
          else if (kind === 'like' && answer.status === 404) {
            // A like that landed before the block answers the post as its author now lets the
            // caller see it: not at all. The like was made all the same.
            assert.equal(answer.body.error.code, 'POST_NOT_FOUND');
            made.like += 1;
          } else {
            assert.ok([200, 201].includes(answer.status), `${kind}: never a ${answer.status}: ${JSON.stringify(answer.body)}`);
            if (kind === 'reply' || kind === 'like') made[kind] += 1;
          }
        }
        assert.equal(await followsBetween(alice, bob), 0, 'no follow survives the block');
        const stored = (
          await db.query<{ replies: string; likes: string }>(
            `SELECT (SELECT count(*) FROM posts WHERE author_id = $1 AND in_reply_to_user_id = $2) AS replies,
               (SELECT count(*) FROM likes l JOIN posts p ON p.id = l.post_id WHERE l.user_id = $1 AND p.author_id = $2) AS likes`,
            [bob.id, alice.id],
          )
        ).rows[0]!;
        assert.deepEqual({ reply: Number(stored.replies), like: Number(stored.likes) }, made, 'a refused write left nothing behind');
        assertBlocked(await t.c.follow(bob, alice), 'a follow after the block');
        assertBlocked(await reply(bob, posts[0]!), 'a reply after the block');
        assertBlocked(await like(bob, posts[1]!), 'a like after the block');

        // Nothing of the blocked account is shown to the blocker, whenever it was made.
        const replies = await t.c.all(`/posts/${posts[0]!.id}/replies`, alice);
        assert.ok(!replies.some((p) => p.author.id === bob.id), 'no reply of the blocked account under the blocker’s post');
        const notifications = await t.c.all<{ account: { id: number } }>('/notifications', alice);
        assert.ok(!notifications.some((n) => n.account.id === bob.id), 'no notification from the blocked account');
      }
    });
  });

  it('lets one transaction write any number of follows: the pair checks hold no lock-table entries', async () => {
    // The default lock table holds 64 × max_connections entries; a lock per row would overflow it.
    const [fan] = await register(1);
    const { rows } = await db.query<{ n: string }>(
      `WITH accounts AS (
         INSERT INTO users (username, email, password_hash)
         SELECT 'many_' || $1::integer || '_' || g, 'many_' || $1::integer || '_' || g || '@example.test', 'x' FROM generate_series(1, 10000) AS g
         RETURNING id
       ),
       followed AS (INSERT INTO follows (follower_id, followee_id) SELECT $1::integer, id FROM accounts RETURNING 1)
       SELECT count(*) AS n FROM followed`,
      [fan.id],
    );
    assert.equal(Number(rows[0]!.n), 10_000);
  });

  describe('suspended accounts and roles', () => {
    it('a suspended account’s profile is 404 to everyone, and comes back when unsuspended', async () => {
      const [alice, bob] = await register(2);
      await db.query('UPDATE users SET suspended_at = now() WHERE id = $1', [alice.id]);
      for (const viewer of [undefined, bob]) {
        for (const path of [`/users/${alice.id}`, `/users/${alice.id}/followers`, `/users/${alice.id}/posts`]) {
          const res = await call(viewer, 'GET', path);
          assert.deepEqual([res.status, res.body.error?.code], [404, 'USER_NOT_FOUND'], path);
        }
        // Everyone else is as before.
        for (const path of [`/users/${bob.id}`, `/users/${bob.id}/followers`, `/users/${bob.id}/posts`]) {
          assert.equal((await call(viewer, 'GET', path)).status, 200, path);
        }
      }
      await db.query('UPDATE users SET suspended_at = NULL WHERE id = $1', [alice.id]);
      assert.equal((await call(bob, 'GET', `/users/${alice.id}`)).status, 200);
    });

    it('GET /me names the caller’s role; a public profile does not', async () => {
      const [alice] = await register(1);
      assert.equal((await call(alice, 'GET', '/me')).body.role, 'user');
      await db.query(`UPDATE users SET role = 'moderator' WHERE id = $1`, [alice.id]);
      assert.equal((await call(alice, 'GET', '/me')).body.role, 'moderator');
      assert.equal((await call(undefined, 'GET', `/users/${alice.id}`)).body.role, undefined);
    });
  });

  describe('mutes', () => {
    it('mutes notifications too by default, posts only with `notifications: false`, and a second PUT sets the flag anew', async () => {
      const [alice, carol] = await register(2);
      await follow(alice, carol);
      const muted = await mute(alice, carol);
      assert.equal(muted.status, 200);
      assert.deepEqual(muted.body, { relationship: relationship(carol.id, { following: true, muting: true, mutingNotifications: true }) });
      const postsOnly = await mute(alice, carol, { notifications: false });
      assert.deepEqual(postsOnly.body.relationship, relationship(carol.id, { following: true, muting: true }));
      assert.deepEqual((await mute(alice, carol, { notifications: false })).body, postsOnly.body, 'muting twice keeps one mute');
      assert.deepEqual(await seenBy(alice, carol), relationship(carol.id, { following: true, muting: true }));
      assert.deepEqual((await mute(alice, carol, {})).body.relationship.mutingNotifications, true);

      const list = await t.c.all<{ id: number; mutedAt: string; notifications: boolean }>('/mutes', alice);
      assert.deepEqual(
        list.map((m) => [m.id, m.notifications]),
        [[carol.id, true]],
      );
      assert.ok(!Number.isNaN(Date.parse(list[0]!.mutedAt)));

      for (let i = 0; i < 2; i += 1) {
        const res = await unmute(alice, carol);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { relationship: relationship(carol.id, { following: true }) });
      }
      assert.deepEqual(await t.c.all('/mutes', alice), []);
    });

    it('answers 400 for oneself or a bad body, 404 for an unknown user, and 401 without a token', async () => {
      const [alice, carol] = await register(2);
      for (const method of ['PUT', 'DELETE']) {
        const self = await call(alice, method, `/users/${alice.id}/mute`);
        assert.deepEqual([self.status, self.body.error.code], [400, 'CANNOT_MUTE_SELF'], method);
        const unknown = await call(alice, method, '/users/2000000000/mute');
        assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'USER_NOT_FOUND'], method);
        assert.equal((await call(undefined, method, `/users/${carol.id}/mute`)).status, 401, method);
      }
      const bad = await mute(alice, carol, { notifications: 'no' });
      assert.deepEqual([bad.status, bad.body.error.field], [400, 'notifications']);
      assert.equal((await call(undefined, 'GET', '/mutes')).status, 401);
    });

    it('tells the muted account nothing: no notification, no event, and its view of the muter is unchanged', async () => {
      const [alice, carol, dave] = await register(3);
      const toCarol = (e: HeardLiveEvent) => e.userIds.includes(carol.id);
      const followedBy = (who: RegisteredUser) => (e: HeardLiveEvent) => toCarol(e) && e.notification?.type === 'follow' && e.notification.account.id === who.id;
      await follow(alice, carol);
      await live.waitFor(followedBy(alice), 'alice’s follow, told to carol');
      const heardBefore = live.filter(toCarol);
      const before = await seenBy(carol, alice);

      await mute(alice, carol);
      await mute(alice, carol, { notifications: false });
      assert.deepEqual(await seenBy(carol, alice), before);
      assert.deepEqual(before, relationship(alice.id, { followedBy: true }));
      await unmute(alice, carol);
      // A later event for carol: had the mute sent her anything, it would have come before.
      await follow(dave, carol);
      await live.waitFor(followedBy(dave), 'dave’s follow, told to carol');
      assert.deepEqual(live.filter(toCarol), [...heardBefore, ...live.filter(followedBy(dave))]);
      assert.deepEqual(auth.filter((e) => JSON.stringify(e).includes(`:${carol.id}`)), []);
      const notifications = await t.c.all<{ type: string; account: { id: number } }>('/notifications', carol);
      assert.deepEqual(
        notifications.map((n) => [n.type, n.account.id]),
        [
          ['follow', dave.id],
          ['follow', alice.id],
        ],
      );
    });

    it('an unmute brings a followed account’s newest posts back into the timeline when they were left out while muted', async () => {
      const [alice, carol, dave] = await register(3);
      await follow(alice, carol);
      await mute(alice, carol);
      await mute(alice, dave);
      const posted: number[] = [];
      for (let i = 0; i < 4; i += 1) posted.push((await t.c.post(carol, `carol ${i}`)).id);
      await t.c.post(dave, 'dave, not followed');
      // Whatever the posts' delivery did while the mute stood, none is left in alice's timeline.
      await db.query('DELETE FROM home_feed WHERE reader_id = $1 AND author_id = $2', [alice.id, carol.id]);

      await unmute(alice, carol);
      await unmute(alice, dave);
      assert.deepEqual(await timelineIds(alice), posted.slice(-BACKFILL_POSTS).reverse());
    });

    it('lists the accounts the caller mutes, newest mute first, a page at a time', async () => {
      const [alice, ...others] = await register(3);
      await mute(alice, others[0], { notifications: false });
      await mute(alice, others[1]);
      const first = await call(alice, 'GET', '/mutes?limit=1');
      assert.deepEqual(
        first.body.items.map((m: { id: number; notifications: boolean }) => [m.id, m.notifications]),
        [[others[1].id, true]],
      );
      const rest = await call(alice, 'GET', `/mutes?limit=1&cursor=${first.body.nextCursor}`);
      assert.deepEqual(
        rest.body.items.map((m: { id: number; notifications: boolean }) => [m.id, m.notifications]),
        [[others[0].id, false]],
      );
    });
  });
});
