/**
 * Likes of one hot post arriving as they do on a site: many people, each on their own device at
 * their own moments. Every client is a connection of its own with a timer of its own: its likes
 * arrive at Poisson gaps (exponential, independent of the other clients) from a random phase, so
 * the load is never bunched from one timer. A like that is due while the client's previous one
 * is still in flight waits behind it, and its latency counts from the moment it was due, not
 * from when it could be sent (no coordinated omission).
 */
import { poissonGapMs } from '../lib/client-timers.js';
import type { ResultRow } from '../lib/report.js';
import { latencyColumns, summarize } from '../lib/stats.js';

export interface OpenLoopResult {
  latenciesMs: number[];
  errors: number;
  firstError: string | undefined;
  /** From the start to the last answer. */
  elapsedMs: number;
  /** CPU this (generator) process used over the run, as a share of one core. */
  generatorCoreShare: number;
}

/**
 * `clients` independent clients, each sending `perClient` requests with `send(client, i)` at
 * Poisson arrivals of `ratePerSecond / clients` per second; resolves when every answer is in.
 */
export async function runPoissonClients(
  clients: number,
  perClient: number,
  ratePerSecond: number,
  send: (client: number, i: number) => Promise<unknown>,
): Promise<OpenLoopResult> {
  const meanGapMs = (1000 * clients) / ratePerSecond;
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const client = (c: number) =>
    new Promise<void>((resolve) => {
      let due = started + poissonGapMs(meanGapMs);
      let answered = 0;
      const fire = (i: number) => {
        const dueAt = due;
        send(c, i).then(
          () => latenciesMs.push(performance.now() - dueAt),
          (err: unknown) => {
            errors += 1;
            firstError ??= String(err);
          },
        ).finally(() => {
          answered += 1;
          if (answered === perClient) resolve();
        });
        if (i + 1 < perClient) {
          due += poissonGapMs(meanGapMs);
          setTimeout(() => fire(i + 1), Math.max(0, due - performance.now()));
        }
      };
      if (perClient === 0) resolve();
      else setTimeout(() => fire(0), Math.max(0, due - performance.now()));
    });
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { latenciesMs, errors, firstError, elapsedMs, generatorCoreShare: (cpu.user + cpu.system) / 1000 / elapsedMs };
}

/** A report row of an open-loop run; errors are in the notes and fail the goal. */
export function openLoopRow(
  base: Pick<ResultRow, 'scenario' | 'subject'> & Partial<ResultRow>,
  result: OpenLoopResult,
  goalP99Ms: number | undefined,
): ResultRow {
  const summary = summarize(result.latenciesMs);
  return {
    ...base,
    throughputPerSecond: (result.latenciesMs.length / result.elapsedMs) * 1000,
    unit: 'likes/s',
    ...latencyColumns(summary),
    ...(goalP99Ms === undefined ? {} : { goal: `p99 ≤ ${goalP99Ms} ms, every like counted`, goalMet: summary.p99Ms <= goalP99Ms && result.errors === 0 && base.goalMet !== false }),
    notes: [
      ...(base.notes ?? []),
      `load generator (this process, the same for both rows' shape of load) at ${Math.round(result.generatorCoreShare * 100)}% of a core`,
      ...(result.errors > 0 ? [`${result.errors} failed, the first: ${result.firstError}`] : []),
    ],
  };
}
