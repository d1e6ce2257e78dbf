/**
 * Picture uploads: clients each uploading a 12-megapixel JPEG in a loop to user-service (its
 * own process), its uploads per second, their latency, its peak memory and CPU, while a probe
 * sends light requests (a profile, a timeline) to the same service at Poisson arrivals to show
 * whether the image work holds up its event loop. Baselines in the same run: the probe with no
 * upload running, and the floor of the work, the same sharp calls in-process without HTTP.
 *
 * A client refused with 503 `MEDIA_BUSY` (the service holds MEDIA_MAX_CONCURRENT pictures in
 * work and MEDIA_MAX_QUEUED more) waits what `Retry-After` says, as a client that honours it,
 * and tries again; refusals are counted apart. Uploads still under way when the time is up
 * finish, and count in the latencies but not in the rate.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { envSchema } from '@murmur/user-service/config';
import { makePhotoJpeg, uploadPicture } from '@murmur/user-service/testing';
import type { BenchEnv } from '../lib/bench-env.js';
import { machineBusySince, machineCpu } from '../lib/process-stats.js';
import type { ResultRow } from '../lib/report.js';
import { latencyColumns } from '../lib/stats.js';
import { generatorNote, mergeReports, runImageFloor, runLoads } from '../media/generators.js';
import type { ProbeLoad } from '../media/protocol.js';
import { watchService } from '../media/service-watch.js';

export interface UploadsOptions {
  /** Clients uploading at once, each its own account (the issue's 20). */
  clients: number;
  /** The picture: 4000 × 3000 is 12 megapixels. */
  width: number;
  height: number;
  /** How long the clients upload. */
  durationMs: number;
  /** How long the probe runs alone first, for its baseline. */
  baselineMs: number;
  /** The probe's requests per second, over `probeClients` clients each on its own Poisson timer. */
  probePerSecond: number;
  probeClients: number;
  /** Pictures the in-process floor processes. */
  floorPictures: number;
}

const PEAK_GOAL_MIB = 300;
const PROBE_P99_GOAL_MS = 50;
/**
 * As user-service reads them: the service inherits the environment, so a run may set others,
 * and the floor follows.
 */
const MAX_CONCURRENT = envSchema.shape.MEDIA_MAX_CONCURRENT.parse(process.env.MEDIA_MAX_CONCURRENT);
const MAX_QUEUED = envSchema.shape.MEDIA_MAX_QUEUED.parse(process.env.MEDIA_MAX_QUEUED);
/** Posts in the probing account's timeline: its first page is a full one. */
const PROBE_POSTS = 20;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export async function uploadsScenario(env: BenchEnv, options: UploadsOptions): Promise<ResultRow[]> {
  const megapixels = Math.round((options.width * options.height) / 1e6);
  const scenario = `uploads: ${options.clients} clients, a ${megapixels}-MP JPEG each in a loop, ${options.durationMs / 1000} s`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'murmur-bench-uploads-'));
  try {
    const picture = await makePhotoJpeg(options.width, options.height);
    const pictureFile = path.join(dir, 'picture.jpg');
    writeFileSync(pictureFile, picture);
    console.log(`uploads: the picture is ${options.width} × ${options.height}, ${mib(picture.length)}`);

    const service = await env.startService('user-service', {
      MEDIA_LOCAL_DIR: path.join(dir, 'media'),
      MEDIA_TMP_DIR: dir,
      // One account uploads hundreds of pictures here: the hourly limit is not what is measured.
      MEDIA_UPLOADS_PER_HOUR: '1000000',
      // Every refusal (503) is logged as a warning: hundreds of lines.
      LOG_LEVEL: 'error',
    });
    const uploaders = await env.bulkUsers('uploader', options.clients);
    const [prober] = await env.bulkUsers('media_prober', 1);
    const [proberToken, ...uploaderTokens] = await env.issueTokens([prober!, ...uploaders]);
    for (let k = 0; k < PROBE_POSTS; k += 1) {
      const res = await fetch(`${service.url}/posts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${proberToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: `Post ${k} of the account that probes the service during the uploads.` }),
      });
      if (res.status !== 201) throw new Error(`POST /posts: ${res.status} ${await res.text()}`);
    }
    // One upload first: libvips's codecs loaded, the paths warm.
    const warm = await uploadPicture(service.url, picture, { token: uploaderTokens[0]! });
    if (warm.status !== 201) throw new Error(`POST /media: ${warm.status} ${JSON.stringify(warm.body)}`);

    const probe = (durationMs: number): ProbeLoad => ({
      kind: 'probe',
      urls: [`${service.url}/users/${prober!.id}`, `${service.url}/timeline?limit=20`],
      token: proberToken!,
      perSecond: options.probePerSecond,
      clients: options.probeClients,
      durationMs,
    });

    // The probe alone, then the probe during the uploads.
    const quietWatch = await watchService(service.pid, service.url);
    const [quietReport] = await runLoads([probe(options.baselineMs)]);
    const quietService = await quietWatch.end();
    const quiet = mergeReports([quietReport!]);

    const machineBefore = machineCpu();
    const watch = await watchService(service.pid, service.url);
    const [uploadReport, probeReport] = await runLoads([
      { kind: 'upload', url: `${service.url}/media`, tokens: uploaderTokens, file: pictureFile, durationMs: options.durationMs, retryAfterScale: 1 },
      probe(options.durationMs),
    ]);
    const loaded = await watch.end();
    const machineBusy = machineBusySince(machineBefore);
    const uploads = mergeReports([uploadReport!]);
    const probed = mergeReports([probeReport!]);
    const { rows: stored } = await env.pool.query<{ n: string }>('SELECT count(*) AS n FROM media WHERE ready AND owner_id = ANY($1::int[])', [uploaders.map((u) => u.id)]);
    await service.stop();

    const floor = await runImageFloor(pictureFile, options.floorPictures, MAX_CONCURRENT);

    const cpuMsPerUpload = (loaded.cpuSeconds * 1000) / Math.max(1, uploads.succeeded);
    const storedNote =
      Number(stored[0]!.n) === uploads.succeeded + 1 ? 'every answered upload is stored' : `${stored[0]!.n} stored for ${uploads.succeeded + 1} answered: **mismatch**`;
    const probeGoalMet = probed.latency.p99Ms <= PROBE_P99_GOAL_MS && probed.errors === 0;
    return [
      {
        scenario,
        subject: `murmur POST /media, ${options.clients} clients, ${megapixels}-MP JPEG of ${mib(picture.length)}`,
        throughputPerSecond: uploads.perSecond,
        unit: 'uploads/s',
        ...latencyColumns(uploads.latency),
        cpuSeconds: loaded.cpuSeconds,
        peakRssMiB: loaded.peakRssMiB,
        ratio: uploads.perSecond / floor.perSecond,
        ratioOf: 'uploads/s vs the in-process floor',
        goal: `peak memory ≤ ${PEAK_GOAL_MIB} MiB, no error`,
        goalMet: loaded.peakRssMiB <= PEAK_GOAL_MIB && uploads.errors === 0,
        notes: [
          `${uploads.succeeded} uploads, over the ${(uploadReport!.elapsedMs / 1000).toFixed(1)} s until the last answer (the clients started none after ${options.durationMs / 1000} s); ${storedNote}`,
          `${uploads.busy} refused with 503 MEDIA_BUSY (MEDIA_MAX_CONCURRENT ${MAX_CONCURRENT}, MEDIA_MAX_QUEUED ${MAX_QUEUED}; each refused client waited its Retry-After)`,
          ...(uploads.errors ? [`${uploads.errors} failed uploads, the first: ${uploads.firstError}`] : []),
          `service: ${cpuMsPerUpload.toFixed(0)} ms of CPU per upload (the floor: ${floor.cpuMsPerPicture.toFixed(0)} ms), ${Math.round((loaded.cpuSeconds * 1000 * 100) / loaded.elapsedMs)}% of a core; RSS ${loaded.rssBeforeMiB.toFixed(0)} MiB before, ${loaded.sampledPeakRssMiB.toFixed(0)} MiB at most (sampled every 50 ms), peak (VmHWM) ${loaded.peakRssMiB.toFixed(0)} MiB`,
          `the service's event loop (its /metrics): p99 ${loaded.loopLagP99Ms.toFixed(1)} ms, longest ${loaded.loopLagMaxMs.toFixed(1)} ms; idle: p99 ${quietService.loopLagP99Ms.toFixed(1)}, longest ${quietService.loopLagMaxMs.toFixed(1)} ms`,
          `the machine was ${Math.round(machineBusy * 100)}% busy (all cores, every process)`,
          generatorNote('uploaders', uploads),
        ],
      },
      {
        scenario,
        subject: `GET /users/:id and GET /timeline on user-service during the uploads, ${options.probePerSecond}/s`,
        throughputPerSecond: probed.perSecond,
        unit: 'req/s',
        ...latencyColumns(probed.latency),
        ratio: probed.latency.p99Ms / quiet.latency.p99Ms,
        ratioOf: 'p99 vs no upload running',
        goal: `p99 ≤ ${PROBE_P99_GOAL_MS} ms`,
        goalMet: probeGoalMet,
        notes: [
          `${options.probeClients} clients, each its own Poisson timer, ${probed.latency.count} requests`,
          ...(probed.errors ? [`${probed.errors} failed, the first: ${probed.firstError}`] : []),
          generatorNote('probe', probed),
        ],
      },
      {
        scenario,
        subject: 'baseline: the same requests, no upload running',
        throughputPerSecond: quiet.perSecond,
        unit: 'req/s',
        ...latencyColumns(quiet.latency),
        notes: [`${options.baselineMs / 1000} s, ${quiet.latency.count} requests`, ...(quiet.errors ? [`${quiet.errors} failed: ${quiet.firstError}`] : [])],
      },
      {
        scenario,
        subject: `floor: the same image work in-process (sharp, ${MAX_CONCURRENT} at a time), no HTTP`,
        throughputPerSecond: floor.perSecond,
        unit: 'pictures/s',
        ...latencyColumns(floor.latency),
        peakRssMiB: floor.peakRssMiB,
        notes: [
          `its own process: RSS ${floor.rssBeforeMiB.toFixed(0)} MiB with sharp loaded, peak (VmHWM) ${floor.peakRssMiB.toFixed(0)} MiB`,
          `${options.floorPictures} pictures: header, decode, upright JPEG q85, 640-pixel WebP preview, blurhash; ${floor.cpuMsPerPicture.toFixed(0)} ms of CPU per picture, ${Math.round(floor.coreShare * 100)}% of a core`,
        ],
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
