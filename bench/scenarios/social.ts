/**
 * Replies, likes and trending tags, each against a raw-pg baseline of the same SQL:
 *
 * 1. a thread with many direct replies: GET /posts/:id/replies, the first page and the tenth;
 * 2. a reply as deep as a thread shows: GET /posts/:id/ancestors;
 * 3. a post with many likes: GET /posts/:id (its counts are stored, not counted);
 * 4. likes of that post as a crowd sends them: many clients, each on its own connection and
 *    timer, against the plain INSERT under the same load; every like must be counted exactly;
 * 5. trending tags over a day of tagged posts: GET /tags/trending (served from memory), and one
 *    background recomputation of the list, which the service pays every TRENDS_REFRESH_SECONDS.
 *
 * Run after the timeline scenario, its ten million posts are the posts table these meet.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import type { Db } from '@murmur/shared/db';
import { postsById, postsQuery } from '@murmur/user-service/post-view-query';
import { ancestorEntries, MAX_ANCESTORS, replyEntries } from '@murmur/user-service/posts-query';
import { mostUsedTags } from '@murmur/user-service/tags-query';
import type { BenchEnv } from '../lib/bench-env.js';
import { createAgent, expectStatus } from '../lib/http-client.js';
import { postgresCpuByPid, postgresCpuSince } from '../lib/postgres-cpu.js';
import { cpuSeconds, peakRssMiB } from '../lib/process-stats.js';
import { RAW_LIKE_SQL } from '../lib/raw-sql.js';
import { explain, measureReadVsRaw, warmupRequests } from '../lib/read-vs-raw.js';
import type { ResultRow } from '../lib/report.js';
import { latencyColumns, sequentialRate, summarize, timeRuns } from '../lib/stats.js';
import { sampleWaits } from '../lib/wait-events.js';
import { buildSocialData, type SocialData, type SocialDataShape } from '../social/data.js';
import { openLoopRow, runPoissonClients, type OpenLoopResult } from '../social/live-likes.js';
import { bearer, openRig, type TimelineRig } from '../timeline/rig.js';

export interface SocialOptions extends SocialDataShape {
  /** Requests per read row (and as many raw queries). */
  requests: number;
  /** Live likes per second, all clients together. */
  likesPerSecond: number;
  /** Clients sending them, each its own connection and timer; liveLikes must be a multiple. */
  likeClients: number;
  /** Background recomputations of the trending tags, timed one after another. */
  recomputeRuns: number;
}

const PAGE_SIZE = 20;
const LATER_PAGE = 10;
const THREAD_GOAL_MS = 10;
const POST_GOAL_MS = 5;
const LIKE_GOAL_MS = 50;
const TRENDING_GOAL_MS = 20;
/** The service's defaults, which the rig keeps: the trends window and how often the list is computed again. */
const TRENDS_WINDOW_HOURS = 24;
const TRENDS_REFRESH_SECONDS = 60;
/** The service's pool size (the shared db client's default); the raw baseline gets the same. */
const POOL_SIZE = 10;
/** Like-and-take-back pairs by the viewer before the live likes, so the like path runs optimized code; they leave the count as it was. */
const LIKE_WARMUP_PAIRS = 200;

const count = (n: number) => n.toLocaleString('en');
const dialect = new PgDialect();
const toQuery = (query: SQL) => dialect.sqlToQuery(query);

/**
 * The service's repos take a drizzle Db; this one runs their SQL on the raw baseline's
 * connection, and keeps the last statement for EXPLAIN.
 */
function rawDb(client: pg.Client): { db: Db; last: () => SQL | undefined } {
  let last: SQL | undefined;
  const execute = (query: SQL) => {
    last = query;
    const { sql, params } = toQuery(query);
    return client.query(sql, params);
  };
  return { db: { execute } as unknown as Db, last: () => last };
}

interface Reader {
  rig: TimelineRig;
  data: SocialData;
  token: string;
  requests: number;
}

/** A GET as the viewer, against the service's SQL for it through raw pg. */
function readRows(reader: Reader, scenario: string, what: string, path: string, query: SQL, goalP99Ms: number, explainIt = false): Promise<ResultRow[]> {
  const { rig } = reader;
  return measureReadVsRaw(
    {
      scenario,
      subject: `murmur GET ${what}`,
      baselineSubject: `baseline: same SQL, raw pg (GET ${what})`,
      viaHttp: () => expectStatus(200, rig.agent, 'GET', `${rig.service.url}${path}`, bearer(reader.token)),
      query: toQuery(query),
      raw: rig.raw,
      servicePid: rig.service.pid,
      goalP99Ms,
      explainAs: explainIt ? `${what} (${scenario})` : undefined,
    },
    reader.requests,
  );
}

/** The cursor GET /posts/:id/replies hands out for page `page`, walking the pages before it. */
async function repliesCursor(reader: Reader, page: number): Promise<number> {
  let cursor: string | null = null;
  for (let p = 1; p < page; p += 1) {
    const path = `/posts/${reader.data.rootId}/replies?limit=${PAGE_SIZE}${cursor === null ? '' : `&cursor=${cursor}`}`;
    const { body } = await expectStatus(200, reader.rig.agent, 'GET', `${reader.rig.service.url}${path}`, bearer(reader.token));
    cursor = (JSON.parse(body) as { nextCursor: string | null }).nextCursor;
    if (cursor === null) throw new Error(`the thread has no page ${p + 1}`);
  }
  return Number(cursor);
}

async function threadRows(reader: Reader, options: SocialOptions): Promise<ResultRow[]> {
  const { data } = reader;
  const viewer = data.viewer.id;
  const thread = `social: a thread of ${count(options.replies)} replies`;
  const cursor = await repliesCursor(reader, LATER_PAGE);
  const repliesPath = (after?: number) => `/posts/${data.rootId}/replies?limit=${PAGE_SIZE}${after === undefined ? '' : `&cursor=${after}`}`;
  return [
    ...(await readRows(reader, thread, '/posts/:id/replies, first page', repliesPath(), postsQuery(replyEntries(data.rootId, { limit: PAGE_SIZE }), viewer, 'asc'), THREAD_GOAL_MS)),
    ...(await readRows(
      reader,
      thread,
      `/posts/:id/replies, page ${LATER_PAGE}`,
      repliesPath(cursor),
      postsQuery(replyEntries(data.rootId, { limit: PAGE_SIZE, cursor }), viewer, 'asc'),
      THREAD_GOAL_MS,
      true,
    )),
    ...(await readRows(
      reader,
      `social: a reply ${MAX_ANCESTORS} deep`,
      `/posts/:id/ancestors (${MAX_ANCESTORS} posts)`,
      `/posts/${data.deepestReplyId}/ancestors`,
      postsQuery(ancestorEntries(data.deepestReplyId), viewer),
      THREAD_GOAL_MS,
      true,
    )),
  ];
}

/** The hot post's stored count and its like rows. */
async function likeCounts(rig: TimelineRig, postId: number): Promise<{ stored: number; rows: number }> {
  const { rows } = await rig.raw.query<{ stored: string; rows: string }>(
    'SELECT (SELECT coalesce(sum(likes_count), 0) FROM post_counts WHERE post_id = $1) AS stored, (SELECT count(*) FROM likes WHERE post_id = $1) AS rows',
    [postId],
  );
  return { stored: Number(rows[0]!.stored), rows: Number(rows[0]!.rows) };
}

/** What one load of live likes cost: the run, and the CPU of the service and of PostgreSQL. */
interface LikeLoad {
  result: OpenLoopResult;
  serviceCpuS: number;
  postgresCpuS: number;
  /** What the busy backends were doing, by share of samples. */
  waits: string;
}

async function measureLoad(rig: TimelineRig, run: () => Promise<OpenLoopResult>): Promise<LikeLoad> {
  const serviceBefore = cpuSeconds(rig.service.pid);
  const postgresBefore = postgresCpuByPid(rig.env.databaseName);
  const sampler = sampleWaits(rig.raw, rig.env.databaseName);
  const result = await run();
  const waits = await sampler.stop();
  return { result, serviceCpuS: cpuSeconds(rig.service.pid) - serviceBefore, postgresCpuS: postgresCpuSince(postgresBefore, rig.env.databaseName), waits };
}

async function likeRows(reader: Reader, options: SocialOptions): Promise<ResultRow[]> {
  const { rig, data } = reader;
  const hot = data.hotPostId;
  const scenario = `social: a post with ${count(options.likes)} likes`;
  const rows = await readRows(reader, scenario, '/posts/:id', `/posts/${hot}`, postsQuery(postsById([hot]), data.viewer.id), POST_GOAL_MS);

  const likeUrl = `${rig.service.url}/posts/${hot}/like`;
  for (let i = 0; i < LIKE_WARMUP_PAIRS; i += 1) {
    await expectStatus(200, rig.agent, 'PUT', likeUrl, bearer(reader.token));
    await expectStatus(200, rig.agent, 'DELETE', likeUrl, bearer(reader.token));
  }
  const perClient = options.liveLikes / options.likeClients;
  if (!Number.isInteger(perClient)) throw new Error('liveLikes must be a multiple of likeClients');
  const tokens = await rig.env.issueTokens(data.liveLikers);
  const agents = Array.from({ length: options.likeClients }, () => createAgent(1));
  const before = await likeCounts(rig, hot);
  const served = await measureLoad(rig, () =>
    runPoissonClients(options.likeClients, perClient, options.likesPerSecond, (c, i) =>
      expectStatus(200, agents[c]!, 'PUT', likeUrl, bearer(tokens[c * perClient + i]!)),
    ),
  );
  for (const agent of agents) agent.destroy();

  const pool = new pg.Pool({ connectionString: rig.env.databaseUrl, max: POOL_SIZE });
  let raw: LikeLoad;
  try {
    raw = await measureLoad(rig, () =>
      runPoissonClients(options.likeClients, perClient, options.likesPerSecond, (c, i) => pool.query(RAW_LIKE_SQL, [data.rawLikers[c * perClient + i]!.id, hot])),
    );
  } finally {
    await pool.end();
  }

  const after = await likeCounts(rig, hot);
  const expected = before.rows + served.result.latenciesMs.length + raw.result.latenciesMs.length;
  const exact = after.stored === after.rows && after.rows === expected;
  const counting = `likes_count ${count(after.stored)}, like rows ${count(after.rows)}, expected ${count(expected)}: ${exact ? 'every like counted exactly' : 'COUNTS DIFFER'}`;
  const load = `social: ${count(options.likesPerSecond)} likes/s of that post, ${options.likeClients} clients on their own connections and Poisson timers`;
  const perLike = (cpuS: number, likes: number) => `${((cpuS / Math.max(1, likes)) * 1e6).toFixed(0)} µs`;
  rows.push(
    openLoopRow(
      {
        scenario: load,
        subject: `murmur PUT /posts/:id/like, ${count(options.liveLikes)} accounts each liking once`,
        cpuSeconds: served.serviceCpuS,
        peakRssMiB: peakRssMiB(rig.service.pid),
        ratio: summarize(served.result.latenciesMs).p99Ms / summarize(raw.result.latenciesMs).p99Ms,
        ratioOf: 'p99 vs raw pg',
        goalMet: exact,
        notes: [
          counting,
          `service CPU ${perLike(served.serviceCpuS, served.result.latenciesMs.length)} and PostgreSQL CPU ${perLike(served.postgresCpuS, served.result.latenciesMs.length)} per like (the like, then the post it answers with)`,
          `busy backends, by share of samples: ${served.waits}`,
        ],
      },
      served.result,
      LIKE_GOAL_MS,
    ),
    openLoopRow(
      {
        scenario: load,
        subject: `baseline: the plain INSERT (trigger included), raw pg, pool of ${POOL_SIZE}, same load`,
        notes: [`PostgreSQL CPU ${perLike(raw.postgresCpuS, raw.result.latenciesMs.length)} per like`, `busy backends, by share of samples: ${raw.waits}`],
      },
      raw.result,
      undefined,
    ),
  );
  return rows;
}

async function trendingRows(reader: Reader, options: SocialOptions): Promise<ResultRow[]> {
  const { rig, data } = reader;
  const scenario = `social: trending tags over ${count(options.tagPosts)} posts of the last day (${count(data.tagUses)} tag uses, ${count(options.tagVocabulary)} tags, Zipf)`;
  const url = `${rig.service.url}/tags/trending`;
  const trending = async () => JSON.parse((await expectStatus(200, rig.agent, 'GET', url)).body) as { items: Array<{ tag: string; posts: number; accounts: number }> };
  // The first read after a start computes the list and waits for it; later ones read memory.
  const firstStarted = performance.now();
  const first = await trending();
  const firstMs = performance.now() - firstStarted;
  await timeRuns(trending, warmupRequests(options.requests));
  const cpuBefore = cpuSeconds(rig.service.pid);
  const latencies = await timeRuns(trending, options.requests);
  const cpu = cpuSeconds(rig.service.pid) - cpuBefore;
  const http = summarize(latencies);

  const raw = rawDb(rig.raw);
  const recompute = () => mostUsedTags(raw.db, TRENDS_WINDOW_HOURS, first.items.length);
  await recompute();
  const plan = await explain(rig.raw, toQuery(raw.last()!), `trending tags' recomputation (${scenario})`);
  const runs = summarize(await timeRuns(recompute, options.recomputeRuns));
  const top = first.items[0];
  const workers = /Workers Launched: (\d+)/.exec(plan.plan)?.[1];
  return [
    {
      scenario,
      subject: 'murmur GET /tags/trending (from memory)',
      throughputPerSecond: sequentialRate(latencies),
      unit: 'req/s',
      ...latencyColumns(http),
      cpuSeconds: cpu,
      peakRssMiB: peakRssMiB(rig.service.pid),
      goal: `p99 ≤ ${TRENDING_GOAL_MS} ms`,
      goalMet: http.p99Ms <= TRENDING_GOAL_MS,
      notes: [
        `the first read after the start computed the list and took ${firstMs.toFixed(0)} ms; ${first.items.length} tags, the first ${top ? `#${top.tag} (${count(top.accounts)} accounts, ${count(top.posts)} posts)` : 'none'}`,
      ],
    },
    {
      scenario,
      subject: `background recomputation: mostUsedTags over ${TRENDS_WINDOW_HOURS} h, raw pg`,
      ...latencyColumns(runs),
      ratio: runs.p50Ms / (TRENDS_REFRESH_SECONDS * 1000),
      ratioOf: `p50 as a share of the ${TRENDS_REFRESH_SECONDS} s between recomputations (TRENDS_REFRESH_SECONDS default)`,
      notes: [
        `${options.recomputeRuns} runs, one after another; ${workers ? `${workers} parallel workers besides the backend` : 'no parallel workers'}; it reads every tag use of the window`,
      ],
    },
  ];
}

export async function socialScenario(env: BenchEnv, options: SocialOptions): Promise<ResultRow[]> {
  const started = performance.now();
  const data = await buildSocialData(env, options);
  const token = await env.issueToken(data.viewer);
  const rig = await openRig(env, 1);
  try {
    const reader: Reader = { rig, data, token, requests: options.requests };
    const rows = [...(await threadRows(reader, options)), ...(await likeRows(reader, options)), ...(await trendingRows(reader, options))];
    console.log(`social scenario: ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
    return rows;
  } finally {
    await rig.close();
  }
}
