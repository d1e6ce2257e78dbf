/**
 * Follow writes: POST /follow from 50 concurrent connections against the same
 * `INSERT … ON CONFLICT` through raw `pg` from 50 concurrent callers on an equal pool.
 */
import pg from 'pg';
import type { BenchEnv } from '../lib/bench-env.js';
import { createAgent, expectStatus } from '../lib/http-client.js';
import { cpuSeconds, peakRssMiB } from '../lib/process-stats.js';
import { RAW_FOLLOW_SQL } from '../lib/raw-sql.js';
import type { ResultRow } from '../lib/report.js';
import { generatorNote, runClosedLoop, summarize } from '../lib/stats.js';

export interface FollowOptions {
  durationMs: number;
  connections: number;
  users: number;
}

/** The service's pool size (shared db client default); the raw baseline gets the same. */
const POOL_SIZE = 10;

export async function followScenario(env: BenchEnv, options: FollowOptions): Promise<ResultRow[]> {
  const scenario = `follow writes, ${options.connections} connections`;
  const users = await env.bulkUsers('follow', options.users);
  const followers = users.slice(0, options.connections);
  const tokens = await Promise.all(followers.map((u) => env.issueToken(u)));
  const service = await env.startService('user-service');
  const agent = createAgent(options.connections);
  // Targets cycle through all users; a pair repeats only after `users` follows per worker.
  const target = (worker: number, i: number) => {
    const candidate = users[(worker * 7919 + i * 31 + 1) % users.length]!;
    return candidate.id === followers[worker]!.id ? users[(worker + 1) % users.length]! : candidate;
  };

  // The floor: what the HTTP stack alone costs per request, with no auth and no database.
  const floorCpuBefore = cpuSeconds(service.pid);
  const floor = await runClosedLoop(options.connections, Math.min(options.durationMs, 5_000), async () => {
    await expectStatus(200, agent, 'GET', `${service.url}/healthz`);
  });
  const floorCpuPerRequestUs = ((cpuSeconds(service.pid) - floorCpuBefore) / Math.max(1, floor.latenciesMs.length)) * 1e6;

  const cpuBefore = cpuSeconds(service.pid);
  const viaHttp = await runClosedLoop(options.connections, options.durationMs, async (worker, i) => {
    await expectStatus(200, agent, 'POST', `${service.url}/follow?toFollowId=${target(worker, i).id}`, {
      authorization: `Bearer ${tokens[worker]}`,
    });
  });
  const cpu = cpuSeconds(service.pid) - cpuBefore;
  const cpuPerFollowUs = (cpu / Math.max(1, viaHttp.latenciesMs.length)) * 1e6;
  const peak = peakRssMiB(service.pid);
  agent.destroy();
  await service.stop();

  await env.pool.query('TRUNCATE follows');
  const pool = new pg.Pool({ connectionString: env.databaseUrl, max: POOL_SIZE });
  const raw = await runClosedLoop(options.connections, options.durationMs, async (worker, i) => {
    await pool.query(RAW_FOLLOW_SQL, [followers[worker]!.id, target(worker, i).id]);
  });
  await pool.end();

  const httpLatency = summarize(viaHttp.latenciesMs);
  const rawLatency = summarize(raw.latenciesMs);
  const ratio = viaHttp.perSecond / raw.perSecond;
  return [
    {
      scenario,
      subject: 'murmur POST /follow',
      throughputPerSecond: viaHttp.perSecond,
      unit: 'req/s',
      p50Ms: httpLatency.p50Ms,
      p99Ms: httpLatency.p99Ms,
      cpuSeconds: cpu,
      peakRssMiB: peak,
      ratio,
      ratioOf: 'throughput vs raw pg',
      goal: '≥ 0.5× raw pg, zero errors',
      goalMet: ratio >= 0.5 && viaHttp.errors === 0,
      notes: [
        ...(viaHttp.errors ? [`${viaHttp.errors} requests failed`] : []),
        `${cpuPerFollowUs.toFixed(0)} µs of service CPU per follow`,
        ...generatorNote(viaHttp),
      ],
    },
    {
      scenario,
      subject: 'HTTP floor: GET /healthz, same service',
      throughputPerSecond: floor.perSecond,
      unit: 'req/s',
      p50Ms: summarize(floor.latenciesMs).p50Ms,
      p99Ms: summarize(floor.latenciesMs).p99Ms,
      notes: [`${floorCpuPerRequestUs.toFixed(0)} µs of service CPU per request with no auth and no database`],
    },
    {
      scenario,
      subject: 'baseline: INSERT … ON CONFLICT, raw pg',
      throughputPerSecond: raw.perSecond,
      unit: 'inserts/s',
      p50Ms: rawLatency.p50Ms,
      p99Ms: rawLatency.p99Ms,
      notes: [...(raw.errors ? [`${raw.errors} inserts failed`] : []), ...generatorNote(raw)],
    },
  ];
}
