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

/**
 * Runs `task` from `concurrency` loops until `durationMs` has passed; returns each call's
 * latency and the achieved rate. Errors are counted, not thrown.
 */
export async function runClosedLoop(
  concurrency: number,
  durationMs: number,
  task: (worker: number, iteration: number) => Promise<void>,
): Promise<{ latenciesMs: number[]; perSecond: number; errors: number; elapsedMs: number }> {
  const latenciesMs: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i += 1) {
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
  return { latenciesMs, perSecond: (latenciesMs.length / elapsedMs) * 1000, errors, elapsedMs };
}
