import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { api, eventually, testDatabaseUrl } from '@murmur/shared/testing';
import { registerUser, startAuthService, type AuthUnderTest, type RegisteredUser } from '@murmur/auth-service/testing';
import { startUserService, type UserServiceUnderTest } from './helpers.js';

/**
 * The request serves 1 follower, each fan-out job step 2, and a follow brings in 3 posts, so small
 * tests cross every limit.
 */
const SMALL_STEPS = { TIMELINE_INLINE_FOLLOWERS: '1', TIMELINE_FANOUT_BATCH_SIZE: '2', TIMELINE_BACKFILL_POSTS: '3' };

describe('the home timeline', () => {
  let auth: AuthUnderTest;
  let user: UserServiceUnderTest;
  let db: pg.Pool;
  before(async () => {
    auth = await startAuthService();
    user = await startUserService(SMALL_STEPS);
    db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  });
  after(async () => {
    await db.end();
    await user.close();
    await auth.close();
  });

  const register = () => registerUser(auth.url);
  const post = async (author: RegisteredUser, text: string) => {
    const res = await api(user.url, 'POST', '/posts', { token: author.token, body: { text } });
    assert.equal(res.status, 201);
    return res.body.id as number;
  };
  const follow = async (who: RegisteredUser, whom: RegisteredUser) =>
    assert.equal((await api(user.url, 'POST', `/follow?toFollowId=${whom.id}`, { token: who.token })).status, 200);
  const timelineIds = async (reader: RegisteredUser, query = ''): Promise<number[]> => {
    const res = await api(user.url, 'GET', `/timeline${query}`, { token: reader.token });
    assert.equal(res.status, 200);
    return res.body.items.map((p: { id: number }) => p.id);
  };
  /** Waits until the reader's first page is exactly `expected`: delivery is a background job. */
  const timelineBecomes = (reader: RegisteredUser, expected: number[], query = '') =>
    eventually(async () => assert.deepEqual(await timelineIds(reader, query), expected));
  const feedRows = async (where: string, values: unknown[]) =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM home_feed WHERE ${where}`, values)).rows[0]!.n);
  /** Every post of every account, newest first, as a walk of pages of `limit` reads it. */
  const walk = async (reader: RegisteredUser, limit: number) => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=${limit}&cursor=${cursor}` : `?limit=${limit}`;
      const res = await api(user.url, 'GET', `/timeline${query}`, { token: reader.token });
      seen.push(...res.body.items.map((p: { id: number }) => p.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return seen;
  };

  it("shows the reader's own posts at once and those of everyone they follow, newest first, and nobody else's", async () => {
    const [reader, friend, stranger] = [await register(), await register(), await register()];
    await follow(reader, friend);
    const a = await post(friend, 'friend 1');
    const mine = await post(reader, 'me');
    assert.deepEqual((await timelineIds(reader))[0], mine, 'the author sees their own post in the same instant');
    await post(stranger, 'not for you');
    const c = await post(friend, 'friend 2');
    await timelineBecomes(reader, [c, mine, a]);
    const res = await api(user.url, 'GET', '/timeline', { token: reader.token });
    assert.equal(res.body.items[0].author.username, friend.username);
    assert.equal(res.body.nextCursor, null);
  });

  it('needs a token', async () => {
    assert.equal((await api(user.url, 'GET', '/timeline')).status, 401);
  });

  it('delivers a post to its first follower before answering and to every other one by fan-out steps', async () => {
    const author = await register();
    const followers = await Promise.all(Array.from({ length: 7 }, () => register()));
    for (const follower of followers) await follow(follower, author);
    const id = await post(author, 'to all seven');
    assert.deepEqual(await timelineIds(followers[0]!), [id], 'the request itself serves TIMELINE_INLINE_FOLLOWERS followers');
    for (const follower of followers) await timelineBecomes(follower, [id]);
  });

  it("brings a newly followed account's newest posts in with the follow, as many as TIMELINE_BACKFILL_POSTS", async () => {
    const [reader, author] = [await register(), await register()];
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await post(author, `before the follow ${i}`));
    const mine = await post(reader, 'mine');
    await follow(reader, author);
    assert.deepEqual(await timelineIds(reader), [mine, ids[4]!, ids[3]!, ids[2]!]);
  });

  it('removes the posts of someone you unfollow at once, and their rows after', async () => {
    const [reader, friend] = [await register(), await register()];
    await follow(reader, friend);
    const id = await post(friend, 'soon gone');
    await timelineBecomes(reader, [id]);
    await api(user.url, 'POST', `/unfollow?toUnfollowId=${friend.id}`, { token: reader.token });
    assert.deepEqual(await timelineIds(reader), []);
    assert.equal(await feedRows('reader_id = $1', [reader.id]), 0);
  });

  it('removes a deleted post from every timeline at once, and its rows after', async () => {
    const author = await register();
    const followers = await Promise.all(Array.from({ length: 5 }, () => register()));
    for (const follower of followers) await follow(follower, author);
    const kept = await post(author, 'stays');
    const gone = await post(author, 'deleted soon');
    for (const follower of followers) await timelineBecomes(follower, [gone, kept]);
    assert.equal((await api(user.url, 'DELETE', `/posts/${gone}`, { token: author.token })).status, 204);
    for (const reader of [author, ...followers]) assert.deepEqual(await timelineIds(reader), [kept]);
    await eventually(async () => assert.equal(await feedRows('post_id = $1', [gone]), 0));
  });

  it('drops the posts of a deleted account from every timeline at once, and its rows after', async () => {
    const [reader, leaver] = [await register(), await register()];
    await follow(reader, leaver);
    await follow(leaver, reader);
    const postId = await post(leaver, 'farewell');
    await timelineBecomes(reader, [postId]);
    assert.equal((await api(user.url, 'DELETE', '/delete', { token: leaver.token })).status, 204);
    assert.deepEqual(await timelineIds(reader), []);
    assert.equal((await api(user.url, 'GET', `/posts/${postId}`)).status, 404);
    await eventually(async () => assert.equal(await feedRows('reader_id = $1 OR author_id = $1', [leaver.id]), 0));
  });

  it("gives a reader who follows quiet accounts exactly their posts, newest first, whatever others post", async () => {
    const reader = await register();
    const quiet = await Promise.all(Array.from({ length: 5 }, () => register()));
    const busy = await register();
    for (const account of quiet) await follow(reader, account);
    const quietPosts: number[] = [];
    for (let i = 0; i < 10; i += 1) quietPosts.push(await post(quiet[i % 5]!, `quiet ${i}`));
    // Posts by an account the reader does not follow, all newer than every quiet post.
    for (let i = 0; i < 30; i += 1) await post(busy, `busy ${i}`);
    await eventually(async () => assert.deepEqual(await walk(reader, 3), [...quietPosts].reverse()));
  });

  it('never repeats or skips a post while new posts arrive during a walk', async () => {
    const reader = await register();
    const authors = [await register(), await register(), await register()];
    for (const author of authors) await follow(reader, author);
    const existing: number[] = [];
    for (let i = 0; i < 23; i += 1) existing.push(await post(authors[i % 3]!, `before ${i}`));
    await timelineBecomes(reader, existing.slice(-5).reverse(), '?limit=5');

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=5&cursor=${cursor}` : '?limit=5';
      const res = await api(user.url, 'GET', `/timeline${query}`, { token: reader.token });
      seen.push(...res.body.items.map((p: { id: number }) => p.id));
      cursor = res.body.nextCursor;
      pages += 1;
      // New posts land between page reads, from followed authors and the reader.
      await post(authors[pages % 3]!, `during ${pages}`);
      await post(reader, `mine ${pages}`);
    } while (cursor);

    assert.equal(new Set(seen).size, seen.length, 'no post appears twice');
    assert.deepEqual(seen, [...existing].reverse(), 'every earlier post, newest first, none skipped');
    assert.equal(pages, 5);
  });

  it('loses nothing to concurrent posts and follows', async () => {
    const authors = await Promise.all(Array.from({ length: 4 }, () => register()));
    const readers = await Promise.all(Array.from({ length: 6 }, () => register()));
    // Readers follow every author while the authors post; each author posts 3 (the backfill size),
    // so whichever comes first, fan-out or backfill, every post must end up in every timeline.
    const posted = await Promise.all([
      ...authors.map(async (author) => {
        const ids: number[] = [];
        for (let i = 0; i < 3; i += 1) ids.push(await post(author, `concurrent ${i}`));
        return ids;
      }),
      ...readers.map(async (reader) => {
        for (const author of authors) await follow(reader, author);
        return [];
      }),
    ]);
    const expected = posted.flat().sort((a, b) => b - a);
    for (const reader of readers) await timelineBecomes(reader, expected);
  });

  const repost = async (who: RegisteredUser, postId: number, method: 'PUT' | 'DELETE' = 'PUT') =>
    assert.equal((await api(user.url, method, `/posts/${postId}/repost`, { token: who.token })).status, 200);
  const repostRow = async (who: RegisteredUser, postId: number) =>
    Number((await db.query<{ id: string }>('SELECT id FROM posts WHERE author_id = $1 AND repost_of_id = $2', [who.id, postId])).rows[0]!.id);

  it('a repost reaches every follower of the reposter through fan-out steps, and its undo takes it out of every one', async () => {
    const [author, reposter] = [await register(), await register()];
    const followers = await Promise.all(Array.from({ length: 7 }, () => register()));
    for (const follower of followers) await follow(follower, reposter);
    const original = await post(author, 'pass it on');
    await repost(reposter, original);
    const row = await repostRow(reposter, original);
    for (const follower of followers) await timelineBecomes(follower, [original]);
    assert.equal(await feedRows('post_id = $1', [row]), 8, 'the reposter and 7 followers');

    await repost(reposter, original, 'DELETE');
    for (const follower of followers) assert.deepEqual(await timelineIds(follower), []);
    await eventually(async () => assert.equal(await feedRows('post_id = $1', [row]), 0));
  });

  it("deleting a post takes its reposts' rows out of the reposters' followers' timelines", async () => {
    const [author, first, second] = [await register(), await register(), await register()];
    const followers = await Promise.all(Array.from({ length: 5 }, () => register()));
    for (const follower of followers) {
      await follow(follower, first);
      await follow(follower, second);
    }
    const original = await post(author, 'soon deleted');
    await repost(first, original);
    await repost(second, original);
    const rows = [await repostRow(first, original), await repostRow(second, original)];
    for (const follower of followers) await timelineBecomes(follower, [original]);

    assert.equal((await api(user.url, 'DELETE', `/posts/${original}`, { token: author.token })).status, 204);
    for (const follower of followers) assert.deepEqual(await timelineIds(follower), []);
    await eventually(async () => assert.equal(await feedRows('post_id = ANY($1::bigint[])', [rows]), 0));
  });

  it("deleting an account takes others' reposts of its posts out of every timeline", async () => {
    const [leaver, reposter] = [await register(), await register()];
    const followers = await Promise.all(Array.from({ length: 3 }, () => register()));
    for (const follower of followers) await follow(follower, reposter);
    const original = await post(leaver, 'leaving soon');
    await repost(reposter, original);
    const row = await repostRow(reposter, original);
    for (const follower of followers) await timelineBecomes(follower, [original]);

    assert.equal((await api(user.url, 'DELETE', '/delete', { token: leaver.token })).status, 204);
    for (const follower of followers) assert.deepEqual(await timelineIds(follower), []);
    await eventually(async () => assert.equal(await feedRows('post_id = $1', [row]), 0));
  });
});
