/**
 * The floor of an upload: the image work of user-service (its own processImage, from
 * user-service/src/media/image-processing.ts) done in this process with no HTTP, no form, no
 * database and no storage: the header read, the picture decoded once and re-encoded upright, the
 * preview made and its blurhash computed, with sharp set as the service sets it (importing the
 * module sets it) and as many pictures at once as the service's MEDIA_MAX_CONCURRENT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FILE_EXTENSIONS, processImage } from '@murmur/user-service/image-processing';
import { summarize, type LatencySummary } from '../lib/stats.js';

export interface FloorResult {
  latency: LatencySummary;
  perSecond: number;
  /** CPU of this process per picture, ms (libvips's threads included). */
  cpuMsPerPicture: number;
  /** This process's CPU over the run as a share of one core. */
  coreShare: number;
}

/** The service's default MEDIA_MAX_PIXELS: the picture is well within it. */
const MAX_PIXELS = 40_000_000;

/** One picture's work, from the file `input` to files in `dir`. */
async function processOnce(input: string, dir: string, n: number): Promise<void> {
  await processImage({
    input,
    sniffed: { name: 'JPEG', decoder: 'jpeg' },
    originalPath: (format) => path.join(dir, `original-${n}.${FILE_EXTENSIONS[format]}`),
    previewPath: path.join(dir, `preview-${n}.webp`),
    maxPixels: MAX_PIXELS,
    timeoutSeconds: 60,
  });
}

/** `pictures` runs of the work on the picture in `input`, `concurrent` at a time. */
export async function measureImageFloor(input: string, pictures: number, concurrent: number): Promise<FloorResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'murmur-bench-floor-'));
  try {
    await processOnce(input, dir, -1); // warm: libvips's codecs loaded
    const latenciesMs: number[] = [];
    let next = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrent }, async () => {
        for (let n = next++; n < pictures; n = next++) {
          const t0 = performance.now();
          await processOnce(input, dir, n);
          latenciesMs.push(performance.now() - t0);
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return { latency: summarize(latenciesMs), perSecond: (pictures * 1000) / elapsedMs, cpuMsPerPicture: cpuMs / pictures, coreShare: cpuMs / elapsedMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the floor's own process reports: the run, and its memory (the process does nothing else). */
export interface FloorReport extends FloorResult {
  type: 'floor';
  /** Resident memory before the first picture (Node.js and sharp loaded), and at its peak. */
  rssBeforeMiB: number;
  peakRssMiB: number;
}

export type FloorMessage = FloorReport | { type: 'failed'; message: string };
