/**
 * Timeline reads: GET /timeline against the very same SQL run through raw `pg` (the service's
 * own query, from `homeTimelineQuery`), one request at a time, so the difference is what the
 * service adds to the database's work.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import { homeTimelineQuery } from '@murmur/user-service/timeline-query';
import type { BenchUser } from '../lib/bench-env.js';
import { expectStatus } from '../lib/http-client.js';
import { measureReadVsRaw } from '../lib/read-vs-raw.js';
import type { ResultRow } from '../lib/report.js';
import { latencyColumns, summarize, timeRuns } from '../lib/stats.js';
import { bearer, type TimelineRig } from './rig.js';

const PAGE_SIZE = 20;

/**
 * The home timeline of the design before fan-out on write: the reader's followees' posts, found
 * by walking every post newest first. Kept here to show what a reader of quiet accounts cost.
 */
const PULL_TIMELINE_SQL = `
  SELECT p.id, p.author_id, u.username, p.text, p.created_at
  FROM posts p JOIN users u ON u.id = p.author_id
  WHERE (p.author_id = $1 OR p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = $1))
  ORDER BY p.id DESC
  LIMIT ${PAGE_SIZE + 1}`;

export interface TimelineRead {
  scenario: string;
  reader: BenchUser;
  token: string;
  /** Names the page in the subjects, e.g. "first page". */
  page: string;
  /** The cursor, for a page after the first. */
  before?: number;
  goalP99Ms: number;
  /** Print this page's plan (EXPLAIN ANALYZE, after the warm-up), and require that it scans no whole table. */
  explain?: boolean;
}

/** The service's SQL for one page, as the raw baseline sends it. */
function timelineSql(readerId: number, before?: number) {
  return new PgDialect().sqlToQuery(homeTimelineQuery(readerId, { limit: PAGE_SIZE, cursor: before }));
}

const timelineUrl = (rig: TimelineRig, before?: number) =>
  `${rig.service.url}/timeline?limit=${PAGE_SIZE}${before === undefined ? '' : `&cursor=${before}`}`;

/** The cursor that GET /timeline hands out for page `page` (page 1 has none), walking pages 1 … page − 1. */
export async function cursorOfPage(rig: TimelineRig, token: string, page: number): Promise<number> {
  let before: number | undefined;
  for (let p = 1; p < page; p += 1) {
    const { body } = await expectStatus(200, rig.agent, 'GET', timelineUrl(rig, before), bearer(token));
    const cursor = (JSON.parse(body) as { nextCursor: string | null }).nextCursor;
    if (cursor === null) throw new Error(`the timeline has no page ${p + 1}`);
    before = Number(cursor);
  }
  if (before === undefined) throw new Error('page 1 has no cursor');
  return before;
}

/** Two rows: GET /timeline for one page, and the same SQL through raw pg. */
export function measureTimelineRead(rig: TimelineRig, read: TimelineRead, requests: number): Promise<ResultRow[]> {
  const url = timelineUrl(rig, read.before);
  return measureReadVsRaw(
    {
      scenario: read.scenario,
      subject: `murmur GET /timeline, ${read.page}`,
      baselineSubject: `baseline: same SQL, raw pg, ${read.page}`,
      viaHttp: () => expectStatus(200, rig.agent, 'GET', url, bearer(read.token)),
      query: timelineSql(read.reader.id, read.before),
      raw: rig.raw,
      servicePid: rig.service.pid,
      goalP99Ms: read.goalP99Ms,
      explainAs: read.explain ? `timeline, ${read.page} of ${read.scenario}` : undefined,
    },
    requests,
  );
}

/**
 * The previous design's query for the same reader, a few times (it walks the whole posts
 * table for a reader of quiet accounts), against this design's raw first page.
 */
export async function measurePullQuery(rig: TimelineRig, scenario: string, reader: BenchUser, runs: number, firstPageRawP50Ms: number): Promise<ResultRow> {
  const latencies = await timeRuns(() => rig.raw.query(PULL_TIMELINE_SQL, [reader.id]), runs);
  const pull = summarize(latencies);
  return {
    scenario,
    subject: "reference: the previous design's pull query (posts of followees, newest first), raw pg",
    ...latencyColumns(pull),
    ratio: pull.p50Ms / firstPageRawP50Ms,
    ratioOf: 'p50 vs the fan-out first page, raw pg',
    notes: [`${runs} runs: it reads posts newest first until it has found a page by the reader's followees`],
  };
}

/**
 * The rows of one page read before and after a change to the data (`change` names it, e.g. "the
 * pictures"): the after rows compared with the before rows (p99), the before rows as baselines.
 * `notes` go on the service's after row.
 */
export function beforeAndAfterRows(before: ResultRow[], after: ResultRow[], change: string, baselineSubject: string, notes: string[]): ResultRow[] {
  const [http, raw] = after as [ResultRow, ResultRow];
  const [plainHttp, plainRaw] = before as [ResultRow, ResultRow];
  const rawRatio = http.ratio!;
  http.ratio = http.p99Ms! / plainHttp.p99Ms!;
  http.ratioOf = `p99 vs the same page before ${change}`;
  http.notes = [...(http.notes ?? []), `p99 ${rawRatio.toFixed(2)}× the raw SQL's; p50 ${(http.p50Ms! / plainHttp.p50Ms!).toFixed(2)}× the page before ${change}`, ...notes];
  raw.ratio = raw.p99Ms! / plainRaw.p99Ms!;
  raw.ratioOf = `p99 vs the same SQL before ${change}`;
  plainHttp.subject = `baseline: ${plainHttp.subject}, ${baselineSubject}`;
  delete plainHttp.goal;
  delete plainHttp.goalMet;
  return [http, raw, plainHttp, plainRaw];
}
