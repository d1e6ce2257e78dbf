/**
 * Two ws-service instances joined through Redis, under the many-rooms load split between them:
 * client i connects to instance i mod 2, so every room has members on both and every message
 * crosses Redis to half its room. Compared with one instance on the same load. Without a Redis
 * the scenario is left out with a notice, as `npm test` leaves out the cluster tests.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import { DEFAULT_REDIS_URL, redisAnswers } from '../../scripts/redis-probe.js';
import type { ResultRow } from '../lib/report.js';
import { manyRoomsTitle, measureManyRooms, type ManyRoomsOptions, type ManyRoomsRun } from './many-rooms.js';

const INSTANCES = 2;
/** The two instances' CPU per message against one instance's, at most. */
const CPU_VS_ONE_GOAL = 1.3;
const P99_GOAL_MS = 100;
export const TWO_INSTANCES_SUBJECT = 'murmur ws-service × 2 through Redis';

/**
 * @param rate the rate (messages/s over all clients) to measure at, one of the many-rooms rates.
 * @param oneInstance the many-rooms scenario's murmur run from this same run, if it ran with the
 *   same options; otherwise one instance is measured here.
 */
export async function twoInstancesScenario(env: BenchEnv, options: ManyRoomsOptions, rate: number, oneInstance?: ManyRoomsRun): Promise<ResultRow[]> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? DEFAULT_REDIS_URL;
  if (!(await redisAnswers(redisUrl))) {
    console.log(`NOTICE: no Redis answers at ${redisUrl} (set BENCH_REDIS_URL); left out the two-instance scenario`);
    return [];
  }
  const scenario = `two instances through Redis: ${manyRoomsTitle(options, rate)}`;
  const atRate: ManyRoomsOptions = { ...options, ratesPerSecond: [rate], bunchedPerSecond: 0 };
  // Its own key prefix, so a run never meets another run's (or a deployment's) channels and presence.
  const cluster = { instances: INSTANCES, env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `murmur:bench:${Date.now()}:${process.pid}:` } };
  const two = (await measureManyRooms(env, 'murmur', atRate, { scenario: () => scenario, subject: TWO_INSTANCES_SUBJECT }, cluster)).byRate.get(rate)!;
  const baselineLabel = { scenario, subject: 'baseline: one ws-service instance, same load' };
  const one = oneInstance?.byRate.get(rate) ?? (await measureManyRooms(env, 'murmur', atRate, { scenario: () => scenario, subject: baselineLabel.subject })).byRate.get(rate)!;
  const oneRow: ResultRow = { ...one.row, ...baselineLabel, notes: [...(oneInstance ? ['the many-rooms scenario’s murmur run, from this run'] : []), ...one.row.notes!] };
  const perMessage = (run: typeof one) => run.figures.cpuAboveIdlePerMessageUs ?? run.figures.cpuPerMessageUs;
  two.row.ratio = perMessage(two) / perMessage(one);
  two.row.ratioOf = 'CPU per message above idle (both instances) vs one instance';
  two.row.goal = `every message delivered in order, p99 ≤ ${P99_GOAL_MS} ms, CPU per message ≤ ${CPU_VS_ONE_GOAL}× one instance's`;
  two.row.goalMet = two.deliveredInOrder && (two.row.p99Ms ?? Infinity) <= P99_GOAL_MS && two.row.ratio <= CPU_VS_ONE_GOAL;
  return [two.row, oneRow];
}
