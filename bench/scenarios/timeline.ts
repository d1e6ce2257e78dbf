/**
 * Home timelines, fan-out on write, on a database of many posts, in five shapes:
 *
 * 1. a reader following many active accounts: the first page and a later one;
 * 2. a reader following a few quiet accounts, whose posts are the oldest of all (the reader the
 *    previous, pull-style design served worst: it is shown for reference);
 * 3. a reader following thousands of accounts;
 * 4. an author with a large audience posts: POST /posts latency, the time until every follower
 *    has the post, PostgreSQL's CPU per timeline row, and other authors' POST /posts meanwhile;
 * 5. a new follow: POST /follow latency and the time until the followee's posts are in the timeline.
 *
 * Each is measured against a raw-pg baseline: the same SQL for reads, the plain statement for writes.
 */
import type { BenchEnv, BenchUser } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';
import { measureBackfill } from '../timeline/backfill.js';
import { buildTimelineData, QUIET_ACCOUNTS, type TimelineData, type TimelineDataShape } from '../timeline/data.js';
import { measureFanout } from '../timeline/fan-out.js';
import { cursorOfPage, measurePullQuery, measureTimelineRead } from '../timeline/reads.js';
import { openRig, type TimelineRig } from '../timeline/rig.js';

export interface TimelineOptions extends TimelineDataShape {
  /** Requests per timeline read row (and as many raw queries). */
  requests: number;
  /** Runs of the previous design's query: slow on a large table, so only a few. */
  pullRuns: number;
  /** Posts by the big author, alone and again while others post. */
  bigPosts: number;
  /** Ordinary authors posting back to back: alone, then during the second round of big posts. */
  posters: number;
}

const FIRST_PAGE_GOAL_MS = 10;
const LATER_PAGE_GOAL_MS = 20;
const LATER_PAGE = 5;

const count = (n: number) => n.toLocaleString('en');

/** Shapes 1 to 3: three readers' timelines, and the previous design's query for the quiet one. */
async function readRows(rig: TimelineRig, data: TimelineData, tokens: Map<number, string>, options: TimelineOptions): Promise<ResultRow[]> {
  const reader = (user: BenchUser) => ({ reader: user, token: tokens.get(user.id)! });
  const active = reader(data.activeReader);
  const activeScenario = `timeline: reader follows ${count(options.activeFollowed)} active accounts (${count(options.posts)} posts)`;
  const quietScenario = `timeline: reader follows ${QUIET_ACCOUNTS} quiet accounts, the oldest posts`;
  const wideScenario = `timeline: reader follows ${count(options.wideFollowed)} accounts`;
  const rows = [
    ...(await measureTimelineRead(rig, { scenario: activeScenario, ...active, page: 'first page', goalP99Ms: FIRST_PAGE_GOAL_MS }, options.requests)),
    ...(await measureTimelineRead(
      rig,
      {
        scenario: activeScenario,
        ...active,
        page: `page ${LATER_PAGE}`,
        before: await cursorOfPage(rig, active.token, LATER_PAGE),
        goalP99Ms: LATER_PAGE_GOAL_MS,
      },
      options.requests,
    )),
  ];
  const quiet = await measureTimelineRead(
    rig,
    { scenario: quietScenario, ...reader(data.quietReader), page: 'first page', goalP99Ms: FIRST_PAGE_GOAL_MS, explain: true },
    options.requests,
  );
  rows.push(...quiet, await measurePullQuery(rig, quietScenario, data.quietReader, options.pullRuns, quiet[1]!.p50Ms!));
  rows.push(
    ...(await measureTimelineRead(
      rig,
      { scenario: wideScenario, ...reader(data.wideReader), page: 'first page', goalP99Ms: FIRST_PAGE_GOAL_MS },
      options.requests,
    )),
  );
  return rows;
}

/** `onData` receives the database's people and posts once built, for a later scenario of the same run. */
export async function timelineScenario(env: BenchEnv, options: TimelineOptions, onData?: (data: TimelineData) => void): Promise<ResultRow[]> {
  const started = performance.now();
  const data = await buildTimelineData(env, options);
  onData?.(data);
  const posters = data.activeFollowees.slice(0, options.posters);
  const users = [data.activeReader, data.quietReader, data.wideReader, data.bigAuthor, ...posters, ...data.newFollows.map((f) => f.reader)];
  const issued = await env.issueTokens(users);
  const tokens = new Map(users.map((user, i) => [user.id, issued[i]!]));

  // One request at a time, but the posters' loops and the big author's posts run together.
  const rig = await openRig(env, options.posters + 1);
  try {
    const rows = await readRows(rig, data, tokens, options);
    rows.push(
      ...(await measureBackfill(rig, {
        scenario: `timeline backfill: new follow of an account with ${count(options.prolificPosts)} posts`,
        follows: data.newFollows.map((f) => ({ ...f, readerToken: tokens.get(f.reader.id)! })),
        accountPosts: options.prolificPosts,
      })),
      ...(await measureFanout(rig, {
        scenario: `timeline fan-out: an author with ${count(options.audience)} followers posts`,
        author: data.bigAuthor,
        authorToken: tokens.get(data.bigAuthor.id)!,
        audience: options.audience,
        lastFollowerId: data.lastFollowerId,
        posterTokens: posters.map((p) => tokens.get(p.id)!),
        posts: options.bigPosts,
      })),
    );
    console.log(`timeline scenario: ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
    return rows;
  } finally {
    await rig.close();
  }
}
