/**
 * A read through the service against the very same SQL through raw `pg`, one request at a time,
 * so the difference is what the service adds to the database's work.
 */
import type pg from 'pg';
import { cpuSeconds, peakRssMiB } from './process-stats.js';
import type { ResultRow } from './report.js';
import { latencyColumns, sequentialRate, summarize, timeRuns } from './stats.js';

/**
 * Requests before each measurement, at least 100 and half as many as are measured: the first
 * thousand requests after a start still run code the JIT has not optimized, and would set the p99.
 */
export const warmupRequests = (requests: number) => Math.max(100, Math.round(requests / 2));

export interface ReadVsRaw {
  scenario: string;
  /** The service's row, e.g. "murmur GET /timeline, first page". */
  subject: string;
  /** The baseline's row, e.g. "baseline: same SQL, raw pg, first page". */
  baselineSubject: string;
  /** One request to the service, rejecting unless it succeeded. */
  viaHttp: () => Promise<unknown>;
  /** The service's own SQL for the same answer. */
  query: { sql: string; params: unknown[] };
  raw: pg.Client;
  /** The service's process, for its CPU and memory. */
  servicePid: number;
  goalP99Ms: number;
  /** Print the query's plan under this label (EXPLAIN ANALYZE, after the warm-up), and require that it scans no whole table. */
  explainAs?: string;
}

/** Two rows: the service's and the raw baseline's. */
export async function measureReadVsRaw(read: ReadVsRaw, requests: number): Promise<ResultRow[]> {
  const viaPg = () => read.raw.query(read.query.sql, read.query.params);
  await timeRuns(read.viaHttp, warmupRequests(requests));
  await timeRuns(viaPg, warmupRequests(requests));
  const plan = read.explainAs ? await explain(read.raw, read.query, read.explainAs) : undefined;

  const cpuBefore = cpuSeconds(read.servicePid);
  const httpLatencies = await timeRuns(read.viaHttp, requests);
  const cpu = cpuSeconds(read.servicePid) - cpuBefore;
  const rawLatencies = await timeRuns(viaPg, requests);
  const http = summarize(httpLatencies);
  const raw = summarize(rawLatencies);
  return [
    {
      scenario: read.scenario,
      subject: read.subject,
      throughputPerSecond: sequentialRate(httpLatencies),
      unit: 'req/s',
      ...latencyColumns(http),
      cpuSeconds: cpu,
      peakRssMiB: peakRssMiB(read.servicePid),
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
      subject: read.baselineSubject,
      throughputPerSecond: sequentialRate(rawLatencies),
      unit: 'req/s',
      ...latencyColumns(raw),
    },
  ];
}

/** A table this small costs a sequential scan no more than an index probe: its scan is no whole-table read. */
const SMALL_TABLE_PAGES = 100;

/**
 * Prints the plan of a query and says whether it scans a whole table of any size (a scan of an
 * empty or tiny table, e.g. post_mentions on a site with few mentions, is the planner's right choice).
 */
export async function explain(raw: pg.Client, query: { sql: string; params: unknown[] }, label: string): Promise<{ seqScan: boolean; plan: string }> {
  const { rows } = await raw.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.params);
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
  console.log(`plan, ${label}:\n${plan}\n`);
  const scanned = [...new Set([...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]!))];
  const { rows: sizes } = await raw.query<{ relname: string; relpages: number }>('SELECT relname, relpages FROM pg_class WHERE relname = ANY($1::text[])', [scanned]);
  return { seqScan: sizes.some((t) => t.relpages > SMALL_TABLE_PAGES), plan };
}
