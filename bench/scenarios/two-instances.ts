/**
 * Two ws-service instances joined through Redis, under the many-rooms load split between them:
 * client i connects to instance i mod 2, so every room has members on both and every message
 * crosses Redis to half its room. Compared with one instance on the same load. Without a Redis
 * the scenario is left out with a notice, as `npm test` leaves out the cluster tests.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import { DEFAULT_REDIS_URL, redisAnswers } from '../../scripts/redis-probe.js';
import type { ResultRow } from '../lib/report.js';
import { manyRoomsTitle, measureMurmurManyRooms, type ManyRoomsOptions, type MurmurManyRoomsRun } from './many-rooms.js';

const INSTANCES = 2;
export const TWO_INSTANCES_SUBJECT = 'murmur ws-service × 2 through Redis';

/**
 * @param oneInstance the many-rooms scenario's murmur run from this same run, if it ran with the
 *   same options; otherwise one instance is measured here.
 */
export async function twoInstancesScenario(env: BenchEnv, options: ManyRoomsOptions, oneInstance?: MurmurManyRoomsRun): Promise<ResultRow[]> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? DEFAULT_REDIS_URL;
  if (!(await redisAnswers(redisUrl))) {
    console.log(`NOTICE: no Redis answers at ${redisUrl} (set BENCH_REDIS_URL); left out the two-instance scenario`);
    return [];
  }
  const scenario = `two instances through Redis: ${manyRoomsTitle(options)}`;
  // Its own key prefix, so a run never meets another run's (or a deployment's) channels and presence.
  const cluster = { instances: INSTANCES, env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `murmur:bench:${Date.now()}:${process.pid}:` } };
  const two = await measureMurmurManyRooms(env, options, { scenario, subject: TWO_INSTANCES_SUBJECT }, cluster);
  const baselineLabel = { scenario, subject: 'baseline: one ws-service instance, same load' };
  const one = oneInstance ?? (await measureMurmurManyRooms(env, options, baselineLabel));
  const oneRow: ResultRow = { ...one.row, ...baselineLabel, notes: [...(oneInstance ? ['the many-rooms scenario’s murmur run, from this run'] : []), ...one.row.notes!] };
  two.row.ratio = two.figures.cpuPerDeliveryUs / one.figures.cpuPerDeliveryUs;
  two.row.ratioOf = 'CPU/delivery (both instances) vs one instance';
  two.row.goal = '100% delivered, p99 ≤ 100 ms, every client’s seq contiguous and increasing';
  two.row.goalMet = two.deliveredInOrder;
  return [two.row, oneRow];
}
