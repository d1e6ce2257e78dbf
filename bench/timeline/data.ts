/**
 * The timeline benchmark's database, built in bulk: posts and follows stream in with COPY, and
 * home timelines are written with INSERT … SELECT exactly as fan-out would have left them, then
 * vacuumed and analyzed, so the measured requests meet the table sizes, layouts and statistics of
 * a site that has run for months.
 */
import type { BenchEnv, BenchUser } from '../lib/bench-env.js';
import { timedSteps } from '../lib/timed-step.js';
import { countLoadedPosts } from '../lib/post-counts.js';
import { checkIdentityRange, copyRows, lastIdentity, trustedLoadSkipsTriggers, type CopyValue } from '../lib/copy-rows.js';

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
 * What background posts are, by their place b among the background posts (b mod 20): a share
 * are replies and reposts of a post a few places earlier, and some posts have likes, so every
 * timeline page shows reposts and replies and carries counts. The posts replied to and reposted
 * are originals by other authors; each is reposted once, so no repost collides with another.
 */
const REPLY_SLOT = 3;
const REPLY_LAG = 1;
const REPOST_SLOTS = new Set([7, 17]);
const REPOST_LAG = 5;
const LIKED_SLOT = 0;
/** Likes of a liked post: 1 to this many. */
const MOST_LIKES = 5;
const SLOTS = 20;
/** The background posts' share of each kind, for the log. */
const SHARES = { reposts: REPOST_SLOTS.size / SLOTS, replies: 1 / SLOTS, liked: 1 / SLOTS };

const COUNTED_LIKES = (b: number) => 1 + (Math.floor(b / SLOTS) % MOST_LIKES);

/** The posts table's columns as the rows below fill them. */
const POST_COLUMNS = ['author_id', 'text', 'created_at', 'in_reply_to_id', 'in_reply_to_user_id', 'repost_of_id'];

interface PostLayout {
  /** The last post id before the load: post number n gets id firstId + n − 1. */
  lastId: number;
  /** Filled while the posts are generated: [user id, post id] of each like, for the likes load. */
  likes: number[];
}

/**
 * Posts in id order, one a second up to now. The quiet accounts' come first, so they are the
 * oldest; the prolific accounts' are spread evenly through the rest, as an account that posts
 * all the time would leave them; all others cycle through the background authors and are posts,
 * replies and reposts as the slots above say.
 */
function* postRows(
  shape: TimelineDataShape,
  quiet: BenchUser[],
  authors: BenchUser[],
  prolific: BenchUser[],
  likers: BenchUser[],
  layout: PostLayout,
): Generator<CopyValue[]> {
  const firstAt = Date.now() - shape.posts * 1000;
  let n = 0;
  const idOf = (number: number) => layout.lastId + number;
  const post = (author: BenchUser, text: string, rest: CopyValue[] = [null, null, null]): CopyValue[] => {
    n += 1;
    return [author.id, text, new Date(firstAt + n * 1000), ...rest];
  };
  const original = (author: BenchUser) => post(author, `Post number ${n + 1} of the benchmark, about as long as a typical short post.`);
  for (const account of quiet) for (let k = 0; k < QUIET_POSTS_EACH; k += 1) yield original(account);
  const rest = shape.posts - n;
  const prolificTotal = prolific.length * shape.prolificPosts;
  /** Post numbers of the last background posts, by b mod its length. */
  const recent = new Array<number>(SLOTS).fill(0);
  const authorAt = (b: number) => authors[b % authors.length]!;
  let prolificSoFar = 0;
  let b = 0;
  for (let i = 0; i < rest; i += 1) {
    // Post i is a prolific one whenever the prolific share of the first i + 1 posts steps up.
    const prolificDue = Math.floor(((i + 1) * prolificTotal) / rest);
    if (prolificDue > prolificSoFar) {
      yield original(prolific[prolificSoFar++ % prolific.length]!);
      continue;
    }
    const slot = b % SLOTS;
    let row: CopyValue[];
    if (slot === REPLY_SLOT) {
      row = post(authorAt(b), `A reply, number ${n + 1}, to the post just before it by someone else.`, [
        idOf(recent[(b - REPLY_LAG) % SLOTS]!),
        authorAt(b - REPLY_LAG).id,
        null,
      ]);
    } else if (REPOST_SLOTS.has(slot)) {
      row = post(authorAt(b), '', [null, null, idOf(recent[(b - REPOST_LAG) % SLOTS]!)]);
    } else {
      const likes = slot === LIKED_SLOT ? COUNTED_LIKES(b) : 0;
      row = original(authorAt(b));
      for (let k = 0; k < likes; k += 1) layout.likes.push(likers[(Math.floor(b / SLOTS) * 7 + k * 131) % likers.length]!.id, idOf(n));
    }
    recent[b % SLOTS] = n;
    b += 1;
    yield row;
  }
}

function* pairs(flat: readonly number[]): Generator<CopyValue[]> {
  for (let k = 0; k < flat.length; k += 2) yield [flat[k]!, flat[k + 1]!];
}

function* followRows(follower: BenchUser, followees: readonly BenchUser[]): Generator<CopyValue[]> {
  for (const followee of followees) yield [follower.id, followee.id];
}

const pct = (share: number) => `${Math.round(share * 100)}%`;

const step = timedSteps('timeline data');

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
  const layout: PostLayout = { lastId: await lastIdentity(pool, 'posts'), likes: [] };
  const triggersSkipped = await trustedLoadSkipsTriggers(pool);
  const stored = await step(
    `${shape.posts.toLocaleString('en')} posts (COPY), ${pct(SHARES.reposts)} of the background ones reposts, ${pct(SHARES.replies)} replies, ${pct(SHARES.liked)} liked`,
    () => copyRows(pool, 'posts', POST_COLUMNS, postRows(shape, users.quiet, users.authors, users.prolific, users.fans, layout), { trustForeignKeys: true }),
  );
  if (stored !== shape.posts) throw new Error(`stored ${stored} posts of ${shape.posts}`);
  await checkIdentityRange(pool, 'posts', layout.lastId, stored);
  await step(`${(layout.likes.length / 2).toLocaleString('en')} likes (COPY)`, () =>
    copyRows(pool, 'likes', ['user_id', 'post_id'], pairs(layout.likes), { trustForeignKeys: true }),
  );
  // The counting triggers ran with each row, or the load skipped them and counts it all at once.
  if (triggersSkipped) await step('post counts, from the loaded rows', () => countLoadedPosts(pool, layout.lastId));

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
  // every post of each followee into the readers' timelines, as it decides: a reply to someone
  // else only where the reader follows that someone too, and a post once, in its first row (the
  // original, or the first repost of it; later ones meet home_feed_reader_original_key).
  // Inserted in key order: sorted appends to the indexes instead of random writes. Only the posts
  // loaded here: those of a scenario run before are in their authors' timelines already.
  await step('own timelines (INSERT … SELECT)', () =>
    pool.query(
      'INSERT INTO home_feed (reader_id, author_id, post_id, original_id) SELECT author_id, author_id, id, coalesce(repost_of_id, id) FROM posts WHERE id > $1 ORDER BY author_id, id',
      [layout.lastId],
    ),
  );
  await step("readers' timelines (INSERT … SELECT)", () =>
    pool.query(
      `INSERT INTO home_feed (reader_id, author_id, post_id, original_id)
       SELECT f.follower_id, p.author_id, p.id, coalesce(p.repost_of_id, p.id) FROM follows f JOIN posts p ON p.author_id = f.followee_id
       WHERE f.follower_id = ANY($1::int[])
         AND (p.in_reply_to_user_id IS NULL OR p.in_reply_to_user_id = p.author_id OR p.in_reply_to_user_id = f.follower_id
           OR EXISTS (SELECT 1 FROM follows g WHERE g.follower_id = f.follower_id AND g.followee_id = p.in_reply_to_user_id))
       ORDER BY f.follower_id, p.id
       ON CONFLICT DO NOTHING`,
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
