/** Latency statistics. */

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
}

/** The value below which `p` percent of `sorted` fall (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(latenciesMs: number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { count: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

/** A summary's latencies as a report row's columns. */
export const latencyColumns = (summary: LatencySummary) => ({ p50Ms: summary.p50Ms, p99Ms: summary.p99Ms });

/** Calls per second of calls made one after another. */
export const sequentialRate = (latenciesMs: readonly number[]) => (latenciesMs.length * 1000) / latenciesMs.reduce((a, b) => a + b, 0);

export interface ClosedLoopResult {
  latenciesMs: number[];
  perSecond: number;
  errors: number;
  elapsedMs: number;
  /** CPU this (generator) process used, as a share of one core; near 1 means it was the limit. */
  generatorCoreShare: number;
}

/** A note for the report when the load generator, not the server, was the limit. */
export function generatorNote(result: Pick<ClosedLoopResult, 'generatorCoreShare'>): string[] {
  const percent = Math.round(result.generatorCoreShare * 100);
  return result.generatorCoreShare > 0.9
    ? [`the load generator used ${percent}% of a core: it, not the server, may have been the limit`]
    : [`load generator at ${percent}% of a core`];
}

/** Runs `run` `count` times, one after another; returns each call's latency in ms. */
export async function timeRuns(run: () => Promise<unknown>, count: number): Promise<number[]> {
  const latenciesMs: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const t0 = performance.now();
    await run();
    latenciesMs.push(performance.now() - t0);
  }
  return latenciesMs;
}

/**
 * Runs `task` from `concurrency` loops until `durationMs` has passed or `stop` is aborted (a
 * load kept up while something else is measured); returns each call's latency and the achieved
 * rate. Errors are counted, not thrown.
 */
export async function runClosedLoop(
  concurrency: number,
  durationMs: number,
  task: (worker: number, iteration: number) => Promise<void>,
  stop?: AbortSignal,
): Promise<ClosedLoopResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline && !stop?.aborted; i += 1) {
        const t0 = performance.now();
        try {
          await task(worker, i);
          latenciesMs.push(performance.now() - t0);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const generatorCoreShare = (cpu.user + cpu.system) / 1000 / elapsedMs;
  return { latenciesMs, perSecond: (latenciesMs.length / elapsedMs) * 1000, errors, elapsedMs, generatorCoreShare };
}
