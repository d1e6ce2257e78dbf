/**
 * Timeline reads: GET /timeline against the very same SQL run through raw `pg` (the service's
 * own query, from `homeTimelineQuery`), one request at a time, so the difference is what the
 * service adds to the database's work.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import { homeTimelineQuery } from '@murmur/user-service/timeline-query';
import type { BenchUser } from '../lib/bench-env.js';
import { expectStatus } from '../lib/http-client.js';
import { cpuSeconds, peakRssMiB } from '../lib/process-stats.js';
import type { ResultRow } from '../lib/report.js';
import { latencyColumns, sequentialRate, summarize, timeRuns } from '../lib/stats.js';
import { bearer, type TimelineRig } from './rig.js';

const PAGE_SIZE = 20;
/**
 * Requests before each measurement, at least 100 and half as many as are measured: the first
 * thousand requests after a start still run code the JIT has not optimized, and would set the p99.
 */
const warmupRequests = (requests: number) => Math.max(100, Math.round(requests / 2));

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
export async function measureTimelineRead(rig: TimelineRig, read: TimelineRead, requests: number): Promise<ResultRow[]> {
  const query = timelineSql(read.reader.id, read.before);
  const url = timelineUrl(rig, read.before);
  const viaHttp = () => expectStatus(200, rig.agent, 'GET', url, bearer(read.token));
  const viaPg = () => rig.raw.query(query.sql, query.params);
  await timeRuns(viaHttp, warmupRequests(requests));
  await timeRuns(viaPg, warmupRequests(requests));
  const plan = read.explain ? await explain(rig, query, `${read.page} of ${read.scenario}`) : undefined;

  const cpuBefore = cpuSeconds(rig.service.pid);
  const httpLatencies = await timeRuns(viaHttp, requests);
  const cpu = cpuSeconds(rig.service.pid) - cpuBefore;
  const rawLatencies = await timeRuns(viaPg, requests);
  const http = summarize(httpLatencies);
  const raw = summarize(rawLatencies);
  return [
    {
      scenario: read.scenario,
      subject: `murmur GET /timeline, ${read.page}`,
      throughputPerSecond: sequentialRate(httpLatencies),
      unit: 'req/s',
      ...latencyColumns(http),
      cpuSeconds: cpu,
      peakRssMiB: peakRssMiB(rig.service.pid),
      ratio: http.p99Ms / raw.p99Ms,
      ratioOf: 'p99 vs raw pg',
      goal: `p99 ≤ ${read.goalP99Ms} ms${plan ? ', no sequential scan' : ''}`,
      goalMet: http.p99Ms <= read.goalP99Ms && !plan?.seqScan,
      notes: [
        `${((cpu / requests) * 1e6).toFixed(0)} µs of service CPU per request, one request at a time`,
        ...(plan ? [plan.seqScan ? 'the plan scans a whole table' : 'plan: index scans only'] : []),
      ],
    },
    {
      scenario: read.scenario,
      subject: `baseline: same SQL, raw pg, ${read.page}`,
      throughputPerSecond: sequentialRate(rawLatencies),
      unit: 'req/s',
      ...latencyColumns(raw),
    },
  ];
}

/** Prints the plan of a query and says whether it scans a whole table. */
async function explain(rig: TimelineRig, query: { sql: string; params: unknown[] }, label: string): Promise<{ seqScan: boolean }> {
  const { rows } = await rig.raw.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.params);
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
  console.log(`timeline plan, ${label}:\n${plan}\n`);
  return { seqScan: /Seq Scan/.test(plan) };
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
