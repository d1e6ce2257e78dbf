/**
 * What block lists cost chat delivery: the many-rooms load at one rate, measured twice in a row
 * on fresh ws-service instances, first with nobody blocking anyone, then with every user blocking
 * the same number of accounts (outside every room, so what is delivered is the same). Every
 * message's author is then checked against the reader's list of that size on every delivery,
 * and every connection read its list as it started. The figures of the two runs are compared:
 * CPU per message above idle, delivery p99, and the memory of the open sockets.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';
import { manyRoomsTitle, measureManyRooms, type ManyRoomsOptions } from './many-rooms.js';

/** The run with block lists against the run without, at most (CPU per message, p99). */
const WITHIN = 1.05;
export const BLOCKS_SUBJECT = 'murmur ws-service, every user blocking';

/** @param rate the rate (messages/s over all clients) to measure at. */
export async function manyRoomsBlocksScenario(env: BenchEnv, options: ManyRoomsOptions, rate: number, blocksPerUser: number): Promise<ResultRow[]> {
  const count = (n: number) => n.toLocaleString('en');
  const scenario = `block lists: ${manyRoomsTitle(options, rate)}`;
  const atRate: ManyRoomsOptions = { ...options, ratesPerSecond: [rate], bunchedPerSecond: 0 };
  const label = (subject: string) => ({ scenario: () => scenario, subject });
  const without = (await measureManyRooms(env, 'murmur', atRate, label('baseline: murmur ws-service, nobody blocking anyone'))).byRate.get(rate)!;
  const subject = `${BLOCKS_SUBJECT} ${count(blocksPerUser)} accounts`;
  const withBlocks = (await measureManyRooms(env, 'murmur', { ...atRate, blocksPerUser }, label(subject))).byRate.get(rate)!;
  const perMessage = (run: typeof without) => run.figures.cpuAboveIdlePerMessageUs ?? run.figures.cpuPerMessageUs;
  const row = withBlocks.row;
  row.ratio = perMessage(withBlocks) / perMessage(without);
  row.ratioOf = 'CPU per message above idle vs the same load with nobody blocking';
  const p99Ratio = (row.p99Ms ?? Infinity) / (without.row.p99Ms ?? Infinity);
  row.notes = [
    `delivery p99 ${p99Ratio.toFixed(2)}× the run without blocks; peak RSS ${row.peakRssMiB?.toFixed(0) ?? '?'} vs ${without.row.peakRssMiB?.toFixed(0) ?? '?'} MiB`,
    `${count(options.connections * blocksPerUser)} blocks in the database; every connection read its list of ${count(blocksPerUser)} as it started`,
    ...row.notes!,
  ];
  row.goal = `every message delivered in order; CPU per message and p99 within ${Math.round((WITHIN - 1) * 100)}% of the run without blocks`;
  row.goalMet = withBlocks.deliveredInOrder && row.ratio <= WITHIN && p99Ratio <= WITHIN;
  return [row, without.row];
}
