/**
 * What a service process did over a window, read from outside: its CPU and resident memory from
 * /proc (sampled, and the kernel's peak), and its own event-loop lag from its /metrics
 * (prom-client's percentiles, reset at every scrape).
 */
import { cpuSeconds, peakRssMiB, rssMiB } from '../lib/process-stats.js';

export interface ServiceWindow {
  elapsedMs: number;
  cpuSeconds: number;
  /** The highest resident memory sampled in the window. */
  sampledPeakRssMiB: number;
  /** The process's peak resident memory since it started (VmHWM). */
  peakRssMiB: number;
  rssBeforeMiB: number;
  /** The service's event loop over the window, from its /metrics: p99 and the longest delay, ms. */
  loopLagP99Ms: number;
  loopLagMaxMs: number;
}

const SAMPLE_INTERVAL_MS = 50;

/** prom-client's event-loop lag gauges, in ms; scraping resets them. */
async function scrapeLoopLag(serviceUrl: string): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) * 1000;
  return { p99Ms: gauge('nodejs_eventloop_lag_p99_seconds'), maxMs: gauge('nodejs_eventloop_lag_max_seconds') };
}

/** Starts watching the service `pid` at `url`; `end()` resolves what it did since. */
export async function watchService(pid: number, url: string): Promise<{ end(): Promise<ServiceWindow> }> {
  await scrapeLoopLag(url);
  const rssBeforeMiB = rssMiB(pid);
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  let sampledPeak = rssBeforeMiB;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, rssMiB(pid));
  }, SAMPLE_INTERVAL_MS);
  return {
    async end() {
      clearInterval(sampler);
      const lag = await scrapeLoopLag(url);
      return {
        elapsedMs: performance.now() - started,
        cpuSeconds: cpuSeconds(pid) - cpuBefore,
        sampledPeakRssMiB: Math.max(sampledPeak, rssMiB(pid)),
        peakRssMiB: peakRssMiB(pid),
        rssBeforeMiB,
        loopLagP99Ms: lag.p99Ms,
        loopLagMaxMs: lag.maxMs,
      };
    },
  };
}
