/**
 * The social benchmark's database, built in bulk with COPY next to whatever is there already (a
 * timeline run leaves ten million posts): a thread with many direct replies, a reply chain as
 * deep as GET /posts/:id/ancestors goes, a post with many likes, accounts that have not liked it
 * yet for the live likes, and a day of posts with hashtags used as tags are (a few very often,
 * most rarely: Zipf's law).
 *
 * Loads that skip the triggers bring the stored counts in the rows, exactly as the triggers would
 * have left them; otherwise the triggers count (see trustedLoadSkipsTriggers).
 */
import { MAX_ANCESTORS } from '@murmur/user-service/posts-query';
import type { BenchEnv, BenchUser } from '../lib/bench-env.js';
import { timedSteps } from '../lib/timed-step.js';
import { countLoadedPosts } from '../lib/post-counts.js';
import { checkIdentityRange, copyRows, lastIdentity, trustedLoadSkipsTriggers, type CopyValue } from '../lib/copy-rows.js';

export interface SocialDataShape {
  /** Direct replies to the thread's root post. */
  replies: number;
  /** Likes of the hot post before the live likes. */
  likes: number;
  /** Live likes of the hot post through the service, one account each, and as many through raw pg. */
  liveLikes: number;
  /** Posts with hashtags over the last day. */
  tagPosts: number;
  /** Accounts those posts are by. */
  tagAccounts: number;
  /** Distinct tags in use. */
  tagVocabulary: number;
}

export interface SocialData {
  /** Reads everything; likes nothing. */
  viewer: BenchUser;
  rootId: number;
  /** The last post of a reply chain MAX_ANCESTORS replies long. */
  deepestReplyId: number;
  hotPostId: number;
  /** Accounts that have not liked the hot post: the service's live likes. */
  liveLikers: BenchUser[];
  /** Others that have not liked it either: the raw-pg baseline's likes. */
  rawLikers: BenchUser[];
  /** Rows of post_tags loaded. */
  tagUses: number;
}

/** Accounts that reply in the thread and the chain. */
const REPLIERS = 1_000;
/** Most tags a post has; most have one. */
const MAX_TAGS_PER_POST = 3;
/** Zipf exponent of tag use: the k-th most used tag is used about 1/k^s as often as the first. */
const TAG_ZIPF_EXPONENT = 1.0;
/**
 * The day's tagged posts are spread over this many hours up to the load, inside the service's
 * 24-hour trends window, so the window still holds all of them minutes later when measured.
 */
const TAG_SPREAD_HOURS = 23;

/** A small seeded generator (mulberry32): the same data on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws tag ranks 0 … vocabulary − 1 by Zipf's law, by binary search of the cumulative weights. */
function zipfSampler(vocabulary: number, random: () => number): () => number {
  const cumulative = new Float64Array(vocabulary);
  let total = 0;
  for (let k = 0; k < vocabulary; k += 1) cumulative[k] = total += 1 / (k + 1) ** TAG_ZIPF_EXPONENT;
  return () => {
    const target = random() * total;
    let low = 0;
    let high = vocabulary - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

const tagName = (rank: number) => `topic_${rank.toString(36)}`;

/** The tags of each tagged post, drawn once: the posts' texts and the post_tags rows must agree. */
function drawTags(shape: SocialDataShape): Int32Array {
  const random = seededRandom(7);
  const draw = zipfSampler(shape.tagVocabulary, random);
  const tags = new Int32Array(shape.tagPosts * MAX_TAGS_PER_POST).fill(-1);
  for (let i = 0; i < shape.tagPosts; i += 1) {
    // About two posts in three have one tag, one in four two, one in twelve three.
    const count = 1 + (random() < 1 / 3 ? 1 : 0) + (random() < 1 / 4 ? 1 : 0);
    for (let j = 0; j < count; j += 1) {
      let rank = draw();
      for (let again = 0; again < 10 && tags.subarray(i * MAX_TAGS_PER_POST, i * MAX_TAGS_PER_POST + j).includes(rank); again += 1) rank = draw();
      if (!tags.subarray(i * MAX_TAGS_PER_POST, i * MAX_TAGS_PER_POST + j).includes(rank)) tags[i * MAX_TAGS_PER_POST + j] = rank;
    }
  }
  return tags;
}

const step = timedSteps('social data');

export async function buildSocialData(env: BenchEnv, shape: SocialDataShape): Promise<SocialData> {
  const { pool } = env;
  const users = await step('users', async () => ({
    op: (await env.bulkUsers('op', 1))[0]!,
    viewer: (await env.bulkUsers('viewer', 1))[0]!,
    repliers: await env.bulkUsers('replier', REPLIERS),
    likers: await env.bulkUsers('liker', shape.likes),
    liveLikers: await env.bulkUsers('live_liker', shape.liveLikes),
    rawLikers: await env.bulkUsers('raw_liker', shape.liveLikes),
    taggers: await env.bulkUsers('tagger', shape.tagAccounts),
  }));
  const lastId = await lastIdentity(pool, 'posts');
  const triggersSkipped = await trustedLoadSkipsTriggers(pool);
  const tags = drawTags(shape);
  const now = Date.now();

  // Post numbers (ids lastId + n) in the order they load.
  const rootN = 1;
  const chainN = rootN + shape.replies + 1;
  const hotN = chainN + MAX_ANCESTORS + 1;
  const firstTaggedN = hotN + 1;
  const idOf = (n: number) => lastId + n;
  const replier = (k: number) => users.repliers[k % users.repliers.length]!;

  function* postRows(): Generator<CopyValue[]> {
    const threadAt = now - 3_600_000;
    // author_id, text, created_at, in_reply_to_id, in_reply_to_user_id
    yield [users.op.id, 'The start of a long thread.', new Date(threadAt), null, null];
    for (let k = 0; k < shape.replies; k += 1) {
      yield [replier(k).id, `Reply ${k + 1} to the thread.`, new Date(threadAt + 1 + k), idOf(rootN), users.op.id];
    }
    yield [users.op.id, 'The start of a long reply chain.', new Date(threadAt), null, null];
    for (let depth = 1; depth <= MAX_ANCESTORS; depth += 1) {
      const above = depth === 1 ? users.op : replier(depth - 1);
      yield [replier(depth).id, `Reply ${depth} deep.`, new Date(threadAt + depth), idOf(chainN + depth - 1), above.id];
    }
    yield [users.op.id, 'A post everyone likes.', new Date(threadAt), null, null];
    const firstTaggedAt = now - TAG_SPREAD_HOURS * 3_600_000;
    for (let i = 0; i < shape.tagPosts; i += 1) {
      const names = Array.from(tags.subarray(i * MAX_TAGS_PER_POST, (i + 1) * MAX_TAGS_PER_POST))
        .filter((rank) => rank >= 0)
        .map((rank) => `#${tagName(rank)}`);
      const at = new Date(firstTaggedAt + Math.floor((i * TAG_SPREAD_HOURS * 3_600_000) / shape.tagPosts));
      yield [users.taggers[i % users.taggers.length]!.id, `Tagged post ${i + 1} on what is going on ${names.join(' ')}`, at, null, null];
    }
  }

  function* tagRows(): Generator<CopyValue[]> {
    const firstTaggedAt = now - TAG_SPREAD_HOURS * 3_600_000;
    for (let i = 0; i < shape.tagPosts; i += 1) {
      const at = new Date(firstTaggedAt + Math.floor((i * TAG_SPREAD_HOURS * 3_600_000) / shape.tagPosts));
      const author = users.taggers[i % users.taggers.length]!.id;
      for (let j = 0; j < MAX_TAGS_PER_POST; j += 1) {
        const rank = tags[i * MAX_TAGS_PER_POST + j]!;
        if (rank >= 0) yield [idOf(firstTaggedN + i), tagName(rank), author, at, j + 1];
      }
    }
  }

  const postCount = firstTaggedN - 1 + shape.tagPosts;
  const stored = await step(`${postCount.toLocaleString('en')} posts (COPY): a thread, a reply chain, a liked post, the tagged posts`, () =>
    copyRows(pool, 'posts', ['author_id', 'text', 'created_at', 'in_reply_to_id', 'in_reply_to_user_id'], postRows(), {
      trustForeignKeys: true,
    }),
  );
  if (stored !== postCount) throw new Error(`stored ${stored} posts of ${postCount}`);
  await checkIdentityRange(pool, 'posts', lastId, stored);
  await step(`${shape.likes.toLocaleString('en')} likes of one post (COPY)`, () =>
    copyRows(pool, 'likes', ['user_id', 'post_id'], users.likers.map((u) => [u.id, idOf(hotN)]), { trustForeignKeys: true }),
  );
  if (triggersSkipped) await step('post counts, from the loaded rows', () => countLoadedPosts(pool, lastId));
  const tagUses = await step('post_tags (COPY)', () =>
    copyRows(pool, 'post_tags', ['post_id', 'tag', 'author_id', 'created_at', 'position'], tagRows(), { trustForeignKeys: true }),
  );
  await step('VACUUM (ANALYZE)', () => pool.query('VACUUM (ANALYZE) posts, post_counts, likes, post_tags, users'));
  return {
    viewer: users.viewer,
    rootId: idOf(rootN),
    deepestReplyId: idOf(chainN + MAX_ANCESTORS),
    hotPostId: idOf(hotN),
    liveLikers: users.liveLikers,
    rawLikers: users.rawLikers,
    tagUses,
  };
}
