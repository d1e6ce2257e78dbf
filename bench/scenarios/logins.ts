/**
 * Logins at bcrypt cost 12: POST /login against raw `bcrypt.compare` at the same concurrency,
 * while another service's GET / is probed to show the storm does not block anyone's event loop.
 */
import bcrypt from 'bcrypt';
import type { BenchEnv } from '../lib/bench-env.js';
import { createAgent, expectStatus, request } from '../lib/http-client.js';
import { cpuSeconds, peakRssMiB } from '../lib/process-stats.js';
import type { ResultRow } from '../lib/report.js';
import { generatorNote, runClosedLoop, summarize } from '../lib/stats.js';

export interface LoginOptions {
  durationMs: number;
  /** Logins in flight at once; above libuv's 4 hashing threads, so the pool stays busy. */
  concurrency: number;
}

const BCRYPT_COST = 12;
const PASSWORD = 'correct horse battery staple';
/** Interval between probes of the other service during the storm. */
const PROBE_INTERVAL_MS = 20;

export async function loginScenario(env: BenchEnv, options: LoginOptions): Promise<ResultRow[]> {
  const scenario = `logins, bcrypt cost ${BCRYPT_COST}, ${options.concurrency} in flight`;
  const auth = await env.startService('auth-service', {
    BCRYPT_COST: String(BCRYPT_COST),
    LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
    // Every login comes from this one address: the limit on an address's logins is not measured.
    LOGIN_MAX_SUCCESSES_PER_ADDRESS: '1000000',
  });
  const other = await env.startService('user-service');
  const agent = createAgent(options.concurrency + 1);
  const users = await Promise.all(
    Array.from({ length: options.concurrency }, async (_, i) => {
      const username = `login_${i}`;
      const body = JSON.stringify({ username, email: `${username}@bench.invalid`, password: PASSWORD });
      await expectStatus(201, agent, 'POST', `${auth.url}/register`, {}, body);
      return JSON.stringify({ username, password: PASSWORD });
    }),
  );

  // Probe the other service throughout the storm.
  const probeLatencies: number[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const t0 = performance.now();
      await request(agent, 'GET', `${other.url}/`);
      probeLatencies.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  })();

  const cpuBefore = cpuSeconds(auth.pid);
  const storm = await runClosedLoop(options.concurrency, options.durationMs, async (worker) => {
    await expectStatus(200, agent, 'POST', `${auth.url}/login`, {}, users[worker]);
  });
  const cpu = cpuSeconds(auth.pid) - cpuBefore;
  probing = false;
  await probe;
  const peak = peakRssMiB(auth.pid);
  agent.destroy();
  await Promise.all([auth.stop(), other.stop()]);

  // The baseline: the same comparisons, raw, on this process's thread pool.
  const hash = await bcrypt.hash(PASSWORD, BCRYPT_COST);
  const raw = await runClosedLoop(options.concurrency, options.durationMs, async () => {
    if (!(await bcrypt.compare(PASSWORD, hash))) throw new Error('compare failed');
  });

  const loginLatency = summarize(storm.latenciesMs);
  const rawLatency = summarize(raw.latenciesMs);
  const probeLatency = summarize(probeLatencies);
  const ratio = storm.perSecond / raw.perSecond;
  return [
    {
      scenario,
      subject: 'murmur POST /login',
      throughputPerSecond: storm.perSecond,
      unit: 'logins/s',
      p50Ms: loginLatency.p50Ms,
      p99Ms: loginLatency.p99Ms,
      cpuSeconds: cpu,
      peakRssMiB: peak,
      ratio,
      ratioOf: 'throughput vs raw bcrypt',
      goal: '≥ 0.9× raw bcrypt, zero errors',
      goalMet: ratio >= 0.9 && storm.errors === 0,
      notes: [...(storm.errors ? [`${storm.errors} failed logins`] : []), ...generatorNote(storm)],
    },
    {
      scenario,
      subject: 'GET / on user-service during the storm',
      throughputPerSecond: undefined,
      p50Ms: probeLatency.p50Ms,
      p99Ms: probeLatency.p99Ms,
      goal: 'p99 < 50 ms',
      goalMet: probeLatency.p99Ms < 50,
    },
    {
      scenario,
      subject: 'baseline: raw bcrypt.compare',
      throughputPerSecond: raw.perSecond,
      unit: 'compares/s',
      p50Ms: rawLatency.p50Ms,
      p99Ms: rawLatency.p99Ms,
    },
  ];
}
