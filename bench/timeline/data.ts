/**
 * The timeline benchmark's database, built in bulk: posts and follows stream in with COPY, and
 * home timelines are written with INSERT … SELECT exactly as fan-out would have left them, then
 * vacuumed and analyzed, so the measured requests meet the table sizes, layouts and statistics of
 * a site that has run for months.
 */
import type { BenchEnv, BenchUser } from '../lib/bench-env.js';
import { copyRows, type CopyValue } from '../lib/copy-rows.js';

export interface TimelineDataShape {
  /** Posts in all. */
  posts: number;
  /** Background authors the posts cycle through, so every one of them has posts at every age. */
  authors: number;
  /** Accounts the active reader follows, spread over the background authors. */
  activeFollowed: number;
  /** Accounts the wide reader follows, spread over the background authors. */
  wideFollowed: number;
  /** Followers of the big author. */
  audience: number;
  /** Accounts with `prolificPosts` posts each, one per measured new follow. */
  prolificAccounts: number;
  prolificPosts: number;
}

/** The quiet reader follows this many accounts, whose posts are older than everyone else's. */
export const QUIET_ACCOUNTS = 5;
const QUIET_POSTS_EACH = 10;

export interface TimelineData {
  /** Follows `activeFollowed` background authors. */
  activeReader: BenchUser;
  /** Follows the quiet accounts only. */
  quietReader: BenchUser;
  /** Follows `wideFollowed` background authors. */
  wideReader: BenchUser;
  /** Background authors the active reader follows: one or two followers each. */
  activeFollowees: BenchUser[];
  /** Has `audience` followers and no posts yet. */
  bigAuthor: BenchUser;
  /** The big author's follower with the highest follow id: fan-out walks follows in id order and writes this one last. */
  lastFollowerId: number;
  /** A reader who follows nobody yet and an account with `prolificPosts` posts, for each new follow. */
  newFollows: Array<{ reader: BenchUser; account: BenchUser }>;
}

/** `count` items spread evenly over `items`. */
function spread<T>(items: readonly T[], count: number): T[] {
  return Array.from({ length: count }, (_, k) => items[Math.floor((k * items.length) / count)]!);
}

/**
 * Posts in id order, one a second up to now. The quiet accounts' come first, so they are the
 * oldest; the prolific accounts' are spread evenly through the rest, as an account that posts
 * all the time would leave them; all others cycle through the background authors.
 */
function* postRows(shape: TimelineDataShape, quiet: BenchUser[], authors: BenchUser[], prolific: BenchUser[]): Generator<CopyValue[]> {
  const firstAt = Date.now() - shape.posts * 1000;
  let n = 0;
  const post = (author: BenchUser): CopyValue[] => {
    n += 1;
    return [author.id, `Post number ${n} of the benchmark, about as long as a typical short post.`, new Date(firstAt + n * 1000)];
  };
  for (const account of quiet) for (let k = 0; k < QUIET_POSTS_EACH; k += 1) yield post(account);
  const rest = shape.posts - n;
  const prolificTotal = prolific.length * shape.prolificPosts;
  let prolificSoFar = 0;
  let backgroundSoFar = 0;
  for (let i = 0; i < rest; i += 1) {
    // Post i is a prolific one whenever the prolific share of the first i + 1 posts steps up.
    const prolificDue = Math.floor(((i + 1) * prolificTotal) / rest);
    if (prolificDue > prolificSoFar) yield post(prolific[prolificSoFar++ % prolific.length]!);
    else yield post(authors[backgroundSoFar++ % authors.length]!);
  }
}

function* followRows(follower: BenchUser, followees: readonly BenchUser[]): Generator<CopyValue[]> {
  for (const followee of followees) yield [follower.id, followee.id];
}

/** Logs how long each step of the build took: a full run's build takes minutes. */
async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`timeline data: ${label} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

export async function buildTimelineData(env: BenchEnv, shape: TimelineDataShape): Promise<TimelineData> {
  const { pool } = env;
  const users = await step('users', async () => ({
    authors: await env.bulkUsers('author', shape.authors),
    quiet: await env.bulkUsers('quiet', QUIET_ACCOUNTS),
    readers: await env.bulkUsers('reader', 3),
    big: await env.bulkUsers('celebrity', 1),
    fans: await env.bulkUsers('fan', shape.audience),
    prolific: await env.bulkUsers('prolific', shape.prolificAccounts),
    newcomers: await env.bulkUsers('newcomer', shape.prolificAccounts),
  }));
  const [activeReader, quietReader, wideReader] = users.readers as [BenchUser, BenchUser, BenchUser];
  const bigAuthor = users.big[0]!;
  const activeFollowees = spread(users.authors, shape.activeFollowed);
  const stored = await step(`${shape.posts.toLocaleString('en')} posts (COPY)`, () =>
    copyRows(pool, 'posts', ['author_id', 'text', 'created_at'], postRows(shape, users.quiet, users.authors, users.prolific), { trustForeignKeys: true }),
  );
  if (stored !== shape.posts) throw new Error(`stored ${stored} posts of ${shape.posts}`);

  // The big author's followers come last, so the last of them has the highest follow id.
  await step('follows (COPY)', () =>
    copyRows(pool, 'follows', ['follower_id', 'followee_id'], [
      ...followRows(activeReader, activeFollowees),
      ...followRows(quietReader, users.quiet),
      ...followRows(wideReader, spread(users.authors, shape.wideFollowed)),
      ...users.fans.map((fan) => [fan.id, bigAuthor.id]),
    ]),
  );
  const { rows: last } = await pool.query<{ follower_id: number }>(
    'SELECT follower_id FROM follows WHERE followee_id = $1 ORDER BY id DESC LIMIT 1',
    [bigAuthor.id],
  );

  // Every post is in its author's own timeline (POST /posts writes it there), and fan-out wrote
  // every post of each followee into the readers' timelines. Inserted in key order: sorted
  // appends to both indexes instead of random writes.
  await step('own timelines (INSERT … SELECT)', () =>
    pool.query('INSERT INTO home_feed (reader_id, author_id, post_id) SELECT author_id, author_id, id FROM posts ORDER BY author_id, id'),
  );
  await step("readers' timelines (INSERT … SELECT)", () =>
    pool.query(
      `INSERT INTO home_feed (reader_id, author_id, post_id)
       SELECT f.follower_id, p.author_id, p.id FROM follows f JOIN posts p ON p.author_id = f.followee_id
       WHERE f.follower_id = ANY($1::int[])
       ORDER BY f.follower_id, p.id`,
      [users.readers.map((r) => r.id)],
    ),
  );
  // A site that has run for months has vacuumed tables; without this, autovacuum would work
  // through the millions of fresh rows during the measurements. For the same reason the
  // checkpoint writes the load's dirty pages out now.
  await step('VACUUM (ANALYZE), CHECKPOINT', async () => {
    await pool.query('VACUUM (ANALYZE)');
    await pool.query('CHECKPOINT').catch((err: unknown) => console.log(`timeline data: no CHECKPOINT (${String(err)}); the load may be written out during the measurements`));
  });
  return {
    activeReader,
    quietReader,
    wideReader,
    activeFollowees,
    bigAuthor,
    lastFollowerId: last[0]!.follower_id,
    newFollows: users.prolific.map((account, i) => ({ reader: users.newcomers[i]!, account })),
  };
}
