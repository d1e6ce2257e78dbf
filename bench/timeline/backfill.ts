/**
 * A new follow: POST /follow copies the followee's newest posts into the follower's timeline
 * before it answers; the wait after it checks they are there.
 */
import type pg from 'pg';
import type { BenchUser } from '../lib/bench-env.js';
import { expectStatus } from '../lib/http-client.js';
import { waitUntil } from '../lib/poll.js';
import type { ResultRow } from '../lib/report.js';
import { latencyColumns, sequentialRate, summarize, timeRuns } from '../lib/stats.js';
import { RAW_FOLLOW_SQL } from '../lib/raw-sql.js';
import { BACKFILL_POSTS, bearer, POLL, waitForIdleJobs, type TimelineRig } from './rig.js';

export interface NewFollow {
  reader: BenchUser;
  readerToken: string;
  /** An account nobody follows yet, with `accountPosts` posts. */
  account: BenchUser;
}

export interface BackfillSetup {
  scenario: string;
  follows: NewFollow[];
  accountPosts: number;
}

const FOLLOW_P99_GOAL_MS = 50;
const BACKFILL_GOAL_MS = 1_000;

/** How many of the account's posts the reader's timeline holds. */
async function postsInTimeline(pool: pg.Pool, follow: NewFollow): Promise<number> {
  const { rows } = await pool.query<{ count: number }>('SELECT count(*)::int AS count FROM home_feed WHERE reader_id = $1 AND author_id = $2', [
    follow.reader.id,
    follow.account.id,
  ]);
  return rows[0]!.count;
}

/** Each follow in turn: POST /follow, then the wait until the newest posts are in the reader's timeline. */
async function followAll(rig: TimelineRig, setup: BackfillSetup) {
  const expected = Math.min(setup.accountPosts, BACKFILL_POSTS);
  const followMs: number[] = [];
  const backfillMs: number[] = [];
  for (const follow of setup.follows) {
    const started = performance.now();
    await expectStatus(200, rig.agent, 'POST', `${rig.service.url}/follow?toFollowId=${follow.account.id}`, bearer(follow.readerToken));
    followMs.push(performance.now() - started);
    const backfilled = async () => (await postsInTimeline(rig.env.pool, follow)) === expected;
    backfillMs.push(await waitUntil(backfilled, { ...POLL, since: started, what: `backfill of account ${follow.account.id} for reader ${follow.reader.id}` }));
  }
  return { followMs, backfillMs, expected };
}

/** The same follows' rows through raw pg, for pairs not yet followed (each reader follows the next account). */
function rawFollows(rig: TimelineRig, follows: readonly NewFollow[]): Promise<number[]> {
  let i = 0;
  return timeRuns(() => {
    const pair = [follows[i]!.reader.id, follows[(i + 1) % follows.length]!.account.id];
    i += 1;
    return rig.raw.query(RAW_FOLLOW_SQL, pair);
  }, follows.length);
}

export async function measureBackfill(rig: TimelineRig, setup: BackfillSetup): Promise<ResultRow[]> {
  await waitForIdleJobs(rig);
  const { followMs, backfillMs, expected } = await followAll(rig, setup);
  const rawMs = await rawFollows(rig, setup.follows);
  const raw = summarize(rawMs);
  const follow = summarize(followMs);
  const backfill = summarize(backfillMs);
  return [
    {
      scenario: setup.scenario,
      subject: 'murmur POST /follow, a new follow (copies the newest posts)',
      throughputPerSecond: sequentialRate(followMs),
      unit: 'req/s',
      ...latencyColumns(follow),
      ratio: follow.p99Ms / raw.p99Ms,
      ratioOf: 'p99 vs raw pg',
      goal: `p99 ≤ ${FOLLOW_P99_GOAL_MS} ms`,
      goalMet: follow.p99Ms <= FOLLOW_P99_GOAL_MS,
      notes: [`${setup.follows.length} follows, one at a time, each of a different account with ${setup.accountPosts.toLocaleString('en')} posts`],
    },
    {
      scenario: setup.scenario,
      subject: `murmur backfill: the ${expected} newest posts in the timeline`,
      ...latencyColumns(backfill),
      goal: `p99 ≤ ${BACKFILL_GOAL_MS.toLocaleString('en')} ms`,
      goalMet: backfill.p99Ms <= BACKFILL_GOAL_MS,
      notes: [`from sending POST /follow until all ${expected} posts were in the reader's timeline (checked every ${POLL.intervalMs} ms)`],
    },
    {
      scenario: setup.scenario,
      subject: 'baseline: INSERT INTO follows, raw pg',
      throughputPerSecond: sequentialRate(rawMs),
      unit: 'inserts/s',
      ...latencyColumns(raw),
    },
  ];
}
