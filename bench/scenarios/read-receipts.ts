/**
 * Read receipts on the many-rooms load: every client, right after each message it sends, marks
 * what it has read (a `read` frame with the last seq it received), as a client with its
 * conversation open does. Each mark that moves is stored (moveReadMarkers, batched) and
 * announced to the room. Compared with the same load without marks, from this run: what a read
 * marker costs ws-service and PostgreSQL, and whether messages still arrive all, in order and in time.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';
import { manyRoomsTitle, measureMurmurManyRooms, type ManyRoomsOptions, type MurmurManyRoomsRun } from './many-rooms.js';

/**
 * @param withoutReads the many-rooms scenario's murmur run from this same run, if it ran with the
 *   same options; otherwise that load is measured here.
 */
export async function readReceiptsScenario(env: BenchEnv, options: ManyRoomsOptions, withoutReads?: MurmurManyRoomsRun): Promise<ResultRow[]> {
  const scenario = `read receipts: ${manyRoomsTitle(options)}, and marking what it read after each`;
  const withReads = await measureMurmurManyRooms(env, { ...options, readReceipts: true }, { scenario, subject: 'murmur ws-service, with read markers' });
  const baselineLabel = { scenario, subject: 'baseline: the same load without read markers' };
  const plain = withoutReads ?? (await measureMurmurManyRooms(env, options, baselineLabel));
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
  row.goal = '100% of messages delivered, p99 ≤ 100 ms, seq contiguous, no error event';
  row.goalMet = withReads.deliveredInOrder && withReads.result.report.errors === 0;
  return [row, plainRow];
}
