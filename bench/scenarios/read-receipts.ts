/**
 * Read receipts on the many-rooms load: every client, right after each message it sends, marks
 * what it has read (a `read` frame with the last seq it received), as a client with its
 * conversation open does. Each mark that moves is stored (moveReadMarkers, batched) and
 * announced to the room. Compared with the same load without marks, from this run: what a read
 * marker costs ws-service and PostgreSQL, and whether messages still arrive all, in order and in time.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';
import { manyRoomsTitle, measureManyRooms, type ManyRoomsOptions, type ManyRoomsRun } from './many-rooms.js';

/** Latency every message must stay under with markers on, at the 99th percentile. */
const P99_GOAL_MS = 100;

/**
 * @param rate the rate (messages/s over all clients) to measure at, one of the many-rooms rates.
 * @param withoutReads the many-rooms scenario's murmur run from this same run, if it ran with the
 *   same options; otherwise that load is measured here.
 */
export async function readReceiptsScenario(env: BenchEnv, options: ManyRoomsOptions, rate: number, withoutReads?: ManyRoomsRun): Promise<ResultRow[]> {
  const scenario = `read receipts: ${manyRoomsTitle(options, rate)}, each marking what it read after each`;
  const atRate: ManyRoomsOptions = { ...options, ratesPerSecond: [rate], bunchedPerSecond: 0 };
  const withReads = (await measureManyRooms(env, 'murmur', { ...atRate, readReceipts: true }, { scenario: () => scenario, subject: 'murmur ws-service, with read markers' })).byRate.get(rate)!;
  const baselineLabel = { scenario, subject: 'baseline: the same load without read markers' };
  const plain = withoutReads?.byRate.get(rate) ?? (await measureManyRooms(env, 'murmur', atRate, { scenario: () => scenario, subject: baselineLabel.subject })).byRate.get(rate)!;
  const plainRow: ResultRow = { ...plain.row, ...baselineLabel, notes: [...(withoutReads ? ['the many-rooms scenario’s murmur run, from this run'] : []), ...plain.row.notes!] };
  const reads = Math.max(1, withReads.result.report.readsSent);
  // The load without marks, scaled to this run's stored messages, is what the messages cost here.
  const messageShare = withReads.figures.messages / Math.max(1, plain.figures.messages);
  const serviceCpuPerReadUs = ((withReads.result.loadCpuSeconds - plain.result.loadCpuSeconds * messageShare) / reads) * 1e6;
  const postgresPerReadUs = (((withReads.result.postgresCpuSeconds ?? 0) - (plain.result.postgresCpuSeconds ?? 0) * messageShare) / reads) * 1e6;
  const row = withReads.row;
  // PostgreSQL's CPU per stored message varies between runs of the same load by more than the
  // markers add; a difference below zero says only that.
  const postgresNote =
    postgresPerReadUs >= 0
      ? `${postgresPerReadUs.toFixed(1)} µs of PostgreSQL CPU`
      : `no PostgreSQL CPU this machine can resolve (${postgresPerReadUs.toFixed(1)} µs: less than the run-to-run spread)`;
  row.notes!.unshift(
    `${reads.toLocaleString('en')} read markers sent; each costs ${serviceCpuPerReadUs.toFixed(1)} µs of ws-service CPU and ${postgresNote} ` +
      '(the run’s CPU less the same load’s without markers, per marker); every marker that moved reached the room as a `read` event',
  );
  row.ratio = withReads.figures.cpuPerMessageUs / plain.figures.cpuPerMessageUs;
  row.ratioOf = 'ws-service CPU per stored message, with markers vs without';
  row.goal = `every message delivered in order, p99 ≤ ${P99_GOAL_MS} ms, no error event`;
  row.goalMet = withReads.deliveredInOrder && (row.p99Ms ?? Infinity) <= P99_GOAL_MS;
  return [row, plainRow];
}
