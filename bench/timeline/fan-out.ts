/**
 * Fan-out on write: an author with a large audience posts, and the post must reach every
 * follower's timeline within seconds while POST /posts itself stays fast, for that author and
 * for everyone else posting meanwhile.
 */
import type pg from 'pg';
import type { BenchUser } from '../lib/bench-env.js';
import { PollTimeout, waitUntil } from '../lib/poll.js';
import { postgresCpuByPid, postgresCpuSince } from '../lib/postgres-cpu.js';
import { cpuSeconds } from '../lib/process-stats.js';
import type { ResultRow } from '../lib/report.js';
import { generatorNote, latencyColumns, runClosedLoop, sequentialRate, summarize, type ClosedLoopResult, type LatencySummary } from '../lib/stats.js';
import { createPost, POLL, waitForIdleJobs, type TimelineRig } from './rig.js';

export interface FanoutSetup {
  scenario: string;
  author: BenchUser;
  authorToken: string;
  audience: number;
  /** The follower fan-out writes last. */
  lastFollowerId: number;
  /** Tokens of authors with few followers, one per concurrent poster. */
  posterTokens: string[];
  /** Posts by the big author measured alone, and again while the others post. */
  posts: number;
}

const POST_P99_GOAL_MS = 20;
const DELIVERY_GOAL_MS = 5_000;
const WARMUP_MS = 1_000;
/** The raw baseline runs a few times: each writes a whole audience. */
const RAW_RUNS = 3;

/** The statement fan-out amounts to, for the whole audience at once. */
const RAW_FANOUT_SQL = `
  INSERT INTO home_feed (reader_id, author_id, post_id, original_id)
  SELECT follower_id, $1, $2, $2 FROM follows WHERE followee_id = $1
  ON CONFLICT DO NOTHING`;

interface BigPost {
  postId: number;
  postMs: number;
  /** From sending POST /posts until the post was in every follower's timeline; the deadline when it was not by then. */
  deliveryMs: number;
  delivered: boolean;
}

interface FanoutPhase {
  posts: BigPost[];
  postgresCpuS: number;
  serviceCpuS: number;
}

/**
 * True once the post is in the last follower's timeline. Fan-out walks the followers in follow
 * order, a batch per transaction, each batch enqueued by the one before when it commits; so the
 * last follower's row commits last, and its primary-key lookup answers "delivered to all" in
 * microseconds, where a count by post id would scan all of home_feed on every poll (no index
 * leads with post_id). The counts are checked afterwards, by `checkDelivered`.
 */
export async function deliveredToLast(pool: pg.Pool, lastFollowerId: number, postId: number): Promise<boolean> {
  const { rows } = await pool.query<{ done: boolean }>('SELECT EXISTS (SELECT 1 FROM home_feed WHERE reader_id = $1 AND post_id = $2) AS done', [
    lastFollowerId,
    postId,
  ]);
  return rows[0]!.done;
}

/** Throws unless each post is in exactly followers + 1 timelines (the author's own too). */
async function checkDelivered(pool: pg.Pool, setup: FanoutSetup, posts: readonly BigPost[]): Promise<void> {
  const { rows } = await pool.query<{ post_id: string; rows: number }>(
    'SELECT post_id, count(*)::int AS rows FROM home_feed WHERE author_id = $1 AND post_id = ANY($2::bigint[]) GROUP BY post_id',
    [setup.author.id, posts.map((p) => p.postId)],
  );
  const counts = new Map(rows.map((r) => [Number(r.post_id), r.rows]));
  const short = posts.filter((p) => counts.get(p.postId) !== setup.audience + 1);
  if (short.length > 0) throw new Error(`posts ${short.map((p) => p.postId).join(', ')} are not in all ${setup.audience + 1} timelines`);
}

/** The time from `started` until the post is in every follower's timeline, or the deadline if it is not by then. */
async function timeToDeliver(rig: TimelineRig, setup: FanoutSetup, postId: number, started: number): Promise<{ deliveryMs: number; delivered: boolean }> {
  try {
    const deliveryMs = await waitUntil(() => deliveredToLast(rig.env.pool, setup.lastFollowerId, postId), {
      ...POLL,
      since: started,
      what: `fan-out of post ${postId}`,
    });
    return { deliveryMs, delivered: true };
  } catch (err) {
    if (!(err instanceof PollTimeout)) throw err;
    return { deliveryMs: POLL.deadlineMs, delivered: false };
  }
}

/**
 * The big author's posts, one after another, each waited for until every follower has it. Stops
 * at the first post that misses the deadline: the job queue is then far behind, and the next
 * posts would only queue up behind it.
 */
async function bigPosts(rig: TimelineRig, setup: FanoutSetup, label: string): Promise<FanoutPhase> {
  const pgBefore = postgresCpuByPid(rig.env.databaseName);
  const serviceBefore = cpuSeconds(rig.service.pid);
  const posts: BigPost[] = [];
  for (let i = 0; i < setup.posts && posts.every((p) => p.delivered); i += 1) {
    const started = performance.now();
    const postId = await createPost(rig, setup.authorToken, `${label} post ${i} to ${setup.audience} followers`);
    const postMs = performance.now() - started;
    posts.push({ postId, postMs, ...(await timeToDeliver(rig, setup, postId, started)) });
  }
  return {
    posts,
    postgresCpuS: postgresCpuSince(pgBefore, rig.env.databaseName),
    serviceCpuS: cpuSeconds(rig.service.pid) - serviceBefore,
  };
}

/** The ordinary authors posting back to back, one loop each, for `durationMs` or until `stop`. */
function ordinaryPosting(rig: TimelineRig, setup: FanoutSetup, durationMs: number, stop?: AbortSignal): Promise<ClosedLoopResult> {
  return runClosedLoop(
    setup.posterTokens.length,
    durationMs,
    async (worker, i) => {
      await createPost(rig, setup.posterTokens[worker]!, `ordinary post ${i} by poster ${worker}`);
    },
    stop,
  );
}

/** The big author's posts while the ordinary authors post. */
async function bigPostsUnderLoad(rig: TimelineRig, setup: FanoutSetup): Promise<{ phase: FanoutPhase; ordinary: ClosedLoopResult }> {
  const stop = new AbortController();
  const ordinary = ordinaryPosting(rig, setup, Number.POSITIVE_INFINITY, stop.signal);
  let phase: FanoutPhase;
  try {
    phase = await bigPosts(rig, setup, 'busy');
  } finally {
    stop.abort();
  }
  return { phase, ordinary: await ordinary };
}

/** The same audience written by one statement through raw pg, for a post inserted raw; resolves each statement's ms. */
async function rawFanout(rig: TimelineRig, authorId: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < RAW_RUNS; i += 1) {
    const { rows } = await rig.raw.query<{ id: string }>('INSERT INTO posts (author_id, text) VALUES ($1, $2) RETURNING id', [authorId, `raw post ${i}`]);
    const started = performance.now();
    await rig.raw.query(RAW_FANOUT_SQL, [authorId, rows[0]!.id]);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/** Bytes home_feed takes per row, indexes included: the storage a post costs per follower. */
async function bytesPerFeedRow(pool: pg.Pool): Promise<{ bytes: number; rows: number }> {
  const { rows } = await pool.query<{ bytes: string; rows: string }>(
    "SELECT pg_total_relation_size('home_feed') AS bytes, (SELECT count(*) FROM home_feed) AS rows",
  );
  return { bytes: Number(rows[0]!.bytes), rows: Number(rows[0]!.rows) };
}

function deliveryRow(setup: FanoutSetup, subject: string, phase: FanoutPhase, notes: string[]): ResultRow {
  const deliveries = phase.posts.map((p) => p.deliveryMs);
  const delivery = summarize(deliveries);
  const missed = phase.posts.filter((p) => !p.delivered).length;
  return {
    scenario: setup.scenario,
    subject,
    // Timeline rows written per second of waiting for them.
    throughputPerSecond: sequentialRate(deliveries) * setup.audience,
    unit: 'rows/s',
    ...latencyColumns(delivery),
    cpuSeconds: phase.serviceCpuS,
    goal: `every follower within ${DELIVERY_GOAL_MS / 1000} s (p99)`,
    goalMet: delivery.p99Ms <= DELIVERY_GOAL_MS && missed === 0,
    notes: [
      `${phase.posts.length} posts; p50/p99 are the time from POST /posts until the last of ${setup.audience.toLocaleString('en')} followers had it`,
      ...(missed
        ? [`a post was not in every timeline after ${POLL.deadlineMs / 1000} s (counted as ${POLL.deadlineMs / 1000} s), so no more were posted`]
        : []),
      ...notes,
    ],
  };
}

function postingRow(setup: FanoutSetup, subject: string, result: ClosedLoopResult, notes: string[]): ResultRow {
  const latency = summarize(result.latenciesMs);
  return {
    scenario: setup.scenario,
    subject,
    throughputPerSecond: result.perSecond,
    unit: 'posts/s',
    ...latencyColumns(latency),
    goal: `p99 ≤ ${POST_P99_GOAL_MS} ms, zero errors`,
    goalMet: latency.p99Ms <= POST_P99_GOAL_MS && result.errors === 0,
    notes: [...notes, ...(result.errors ? [`${result.errors} posts failed`] : []), ...generatorNote(result)],
  };
}

const describeLatency = (summary: LatencySummary) => `p50 ${summary.p50Ms.toFixed(2)} ms, p99 ${summary.p99Ms.toFixed(2)} ms`;

/** Everything measured, in the order it ran. */
interface FanoutRun {
  alone: FanoutPhase;
  ordinaryAlone: ClosedLoopResult;
  busy: { phase: FanoutPhase; ordinary: ClosedLoopResult };
  raw: number[];
  storage: { bytes: number; rows: number };
}

/**
 * The big author's posts alone; the ordinary authors alone for as long; both together; then the
 * raw statement. Each part starts once the jobs of the one before have run.
 */
async function runFanout(rig: TimelineRig, setup: FanoutSetup): Promise<FanoutRun> {
  await waitForIdleJobs(rig);
  // Warms up POST /posts (its first calls compile code and open connections); not reported.
  await ordinaryPosting(rig, setup, WARMUP_MS);
  await waitForIdleJobs(rig);
  const aloneStarted = performance.now();
  const alone = await bigPosts(rig, setup, 'alone');
  const aloneMs = performance.now() - aloneStarted;
  await waitForIdleJobs(rig);
  const ordinaryAlone = await ordinaryPosting(rig, setup, aloneMs);
  await waitForIdleJobs(rig);
  const busy = await bigPostsUnderLoad(rig, setup);
  await waitForIdleJobs(rig);
  await checkDelivered(rig.env.pool, setup, [...alone.posts, ...busy.phase.posts]);
  return { alone, ordinaryAlone, busy, raw: await rawFanout(rig, setup.author.id), storage: await bytesPerFeedRow(rig.env.pool) };
}

export async function measureFanout(rig: TimelineRig, setup: FanoutSetup): Promise<ResultRow[]> {
  const { alone, ordinaryAlone, busy, raw, storage } = await runFanout(rig, setup);
  const bigPost = summarize(alone.posts.map((p) => p.postMs));
  const bigPostBusy = summarize(busy.phase.posts.map((p) => p.postMs));
  const rawSummary = summarize(raw);
  const rowsWritten = setup.audience * alone.posts.length;
  const audience = setup.audience.toLocaleString('en');
  const posters = `${setup.posterTokens.length} authors with one or two followers posting back to back`;
  const busyRow = postingRow(setup, 'murmur POST /posts, ordinary authors during fan-outs', busy.ordinary, [`${posters} while the big author's posts fan out`]);
  const quietRow = postingRow(setup, 'murmur POST /posts, ordinary authors, no fan-out running', ordinaryAlone, [
    `${posters}, as long as the big author's posts took alone: what the load costs without fan-out`,
  ]);
  return [
    {
      scenario: setup.scenario,
      subject: `murmur POST /posts, author with ${audience} followers`,
      ...latencyColumns(bigPost),
      goal: `p99 ≤ ${POST_P99_GOAL_MS} ms`,
      goalMet: bigPost.p99Ms <= POST_P99_GOAL_MS,
      notes: [`${bigPost.count} posts, one at a time; while ordinary authors post: ${describeLatency(bigPostBusy)}`],
    },
    {
      ...deliveryRow(setup, "murmur fan-out: the post in every follower's timeline", alone, [
        `PostgreSQL: ${((alone.postgresCpuS / rowsWritten) * 1e6).toFixed(1)} µs of CPU per timeline row written (${alone.postgresCpuS.toFixed(2)} s for ${rowsWritten.toLocaleString('en')} rows); cpu s is user-service's`,
        `storage: ${(storage.bytes / storage.rows).toFixed(1)} bytes of home_feed (indexes included) per row, i.e. per post per follower (${(storage.bytes / 2 ** 20).toFixed(0)} MiB for ${storage.rows.toLocaleString('en')} rows)`,
      ]),
      ratio: summarize(alone.posts.map((p) => p.deliveryMs)).p50Ms / rawSummary.p50Ms,
      ratioOf: 'delivery p50 vs raw INSERT … SELECT p50',
    },
    deliveryRow(setup, 'murmur fan-out, while ordinary authors post', busy.phase, []),
    { ...busyRow, ratio: busyRow.p99Ms! / quietRow.p99Ms!, ratioOf: 'p99 vs the same load without fan-out' },
    quietRow,
    {
      scenario: setup.scenario,
      subject: 'baseline: INSERT … SELECT FROM follows, raw pg',
      throughputPerSecond: sequentialRate(raw) * setup.audience,
      unit: 'rows/s',
      ...latencyColumns(rawSummary),
      notes: [`${RAW_RUNS} runs, each one statement writing a new post into all ${audience} followers' timelines`],
    },
  ];
}
