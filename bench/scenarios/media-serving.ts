/**
 * Serving a picture's preview, as every timeline shows them: one file, uploaded through the API,
 * read back to back over keep-alive connections from separate load processes, through
 *
 * (a) the production gateway: nginx with gateway/nginx.conf, which sends public pictures straight
 *     from user-service's folder (MEDIA_LOCAL_DIR);
 * (b) the development gateway (gateway/src) in front of user-service;
 * (c) user-service itself;
 *
 * against the baseline, nginx serving the same file as a plain static file (`location / { root
 * …; }`), in the same run. Without nginx, (a) and the baseline are left out with a notice.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@murmur/shared/testing';
import { makePhotoJpeg, uploadPicture } from '@murmur/user-service/testing';
import { spawnService, stopProcess, waitUntilHealthy } from '../../scripts/service-process.js';
import type { BenchEnv } from '../lib/bench-env.js';
import { machineBusySince, machineCpu, totalCpuSeconds } from '../lib/process-stats.js';
import type { ResultRow } from '../lib/report.js';
import { latencyColumns } from '../lib/stats.js';
import { generatorNote, mergeReports, runLoads, type MergedReport } from '../media/generators.js';
import { benchNginx, nginxPids, startGatewayNginx, startStaticNginx, type NginxUnderTest } from '../media/nginx.js';

export interface MediaServingOptions {
  /** Load processes, each with `connections` keep-alive connections reading back to back. */
  generators: number;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** The uploaded picture; its preview is at most 640 pixels on its longest side whatever its size. */
  width: number;
  height: number;
}

interface Target {
  subject: string;
  url: string;
  /** The processes that serve it, by what they are, for their CPU. */
  pids: () => Record<string, number[]>;
}

interface Measured {
  target: Target;
  report: MergedReport;
  /** Server CPU seconds over the measured window, by part. */
  cpu: Record<string, number>;
  machineBusy: number;
}

export const STATIC_NGINX_SUBJECT = 'baseline: nginx serving the same file as a plain static file';
export const PRODUCTION_NGINX_SUBJECT = 'murmur production gateway: nginx with gateway/nginx.conf, GET /media/<file>';

async function measure(target: Target, options: MediaServingOptions, expectedBytes: number): Promise<Measured> {
  const parts = Object.entries(target.pids());
  const cpuNow = () => Object.fromEntries(parts.map(([name, pids]) => [name, totalCpuSeconds(pids)]));
  let cpuFrom = cpuNow();
  let machineFrom = machineCpu();
  let warm: NodeJS.Timeout | undefined;
  const reports = await runLoads(
    Array.from({ length: options.generators }, () => ({
      kind: 'read' as const,
      url: target.url,
      connections: options.connections,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      expectedBytes,
    })),
    () => {
      warm = setTimeout(() => {
        cpuFrom = cpuNow();
        machineFrom = machineCpu();
      }, options.warmupMs);
    },
  );
  clearTimeout(warm);
  const cpuTo = cpuNow();
  const cpu = Object.fromEntries(parts.map(([name]) => [name, cpuTo[name]! - cpuFrom[name]!]));
  return { target, report: mergeReports(reports), cpu, machineBusy: machineBusySince(machineFrom) };
}

/** Answers 200 with exactly the file's bytes, as an image, or throws: a wrong path would otherwise be measured. */
async function check(url: string, bytes: number): Promise<void> {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200 || body.length !== bytes || !res.headers.get('content-type')?.startsWith('image/')) {
    throw new Error(`${url}: ${res.status}, ${body.length} bytes of ${res.headers.get('content-type')}, not the ${bytes}-byte picture`);
  }
}

export async function mediaServingScenario(env: BenchEnv, options: MediaServingOptions): Promise<ResultRow[]> {
  const load = `${options.generators} processes × ${options.connections} keep-alive connections, ${options.durationMs / 1000} s`;
  // nginx's workers run as another user when started as root: they must reach the pictures.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'murmur-bench-serving-'));
  chmodSync(dir, 0o755);
  const mediaDir = path.join(dir, 'media');
  const webDist = path.join(dir, 'web');
  mkdirSync(webDist);
  const stops: Array<() => Promise<void>> = [];
  try {
    const service = await env.startService('user-service', { MEDIA_LOCAL_DIR: mediaDir });
    stops.push(() => service.stop());
    const [user] = await env.bulkUsers('media_viewer', 1);
    const token = await env.issueToken(user!);
    const upload = await uploadPicture(service.url, await makePhotoJpeg(options.width, options.height), { token });
    if (upload.status !== 201) throw new Error(`POST /media: ${upload.status} ${JSON.stringify(upload.body)}`);
    const previewPath = upload.body.previewUrl; // /media/<file>.webp
    const bytes = statSync(path.join(mediaDir, 'public', path.basename(previewPath))).size;
    const scenario = `media serving: a ${bytes.toLocaleString('en')}-byte WebP preview, ${load}`;

    const gatewayPort = await freePort();
    const gateway = spawnService(
      'gateway',
      gatewayPort,
      { USER_SERVICE_URL: service.url, WEB_DIST_DIR: webDist, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
      ['ignore', 'inherit', 'inherit'],
      env.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${env.profileDir}`] : [],
    );
    stops.push(() => stopProcess(gateway));
    await waitUntilHealthy(gateway, gatewayPort);

    const targets: Target[] = [];
    const nginx = benchNginx();
    let staticNginx: (NginxUnderTest & { port: number }) | undefined;
    if (nginx) {
      staticNginx = await startStaticNginx(nginx, path.join(mediaDir, 'public'));
      stops.push(() => staticNginx!.close());
      const production = await startGatewayNginx(nginx, { userServicePort: Number(new URL(service.url).port), mediaDir, webDist });
      stops.push(() => production.close());
      targets.push(
        { subject: STATIC_NGINX_SUBJECT, url: `${staticNginx.url}/${path.basename(previewPath)}`, pids: () => ({ nginx: nginxPids(staticNginx!.port) }) },
        { subject: PRODUCTION_NGINX_SUBJECT, url: `${production.url}${previewPath}`, pids: () => ({ nginx: nginxPids(production.port) }) },
      );
    } else {
      console.log('NOTICE: nginx is not installed (set BENCH_NGINX, or apt-get install nginx); left out the production gateway and the static baseline');
    }
    targets.push(
      {
        subject: 'murmur development gateway (gateway/src) → user-service, GET /media/<file>',
        url: `http://127.0.0.1:${gatewayPort}${previewPath}`,
        pids: () => ({ gateway: [gateway.pid!], 'user-service': [service.pid] }),
      },
      { subject: 'murmur user-service itself, GET /media/<file>', url: `${service.url}${previewPath}`, pids: () => ({ 'user-service': [service.pid] }) },
    );
    for (const target of targets) await check(target.url, bytes);

    const measured: Measured[] = [];
    for (const target of targets) measured.push(await measure(target, options, bytes));

    const baseline = measured.find((m) => m.target.subject === STATIC_NGINX_SUBJECT);
    return measured.map(({ target, report, cpu, machineBusy }): ResultRow => {
      const isBaseline = target === baseline?.target;
      const cpuSeconds = Object.values(cpu).reduce((sum, seconds) => sum + seconds, 0);
      const perRequestUs = (seconds: number) => `${((seconds / Math.max(1, report.completedInWindow)) * 1e6).toFixed(0)} µs`;
      const split = Object.keys(cpu).length > 1 ? ` (${Object.entries(cpu).map(([name, seconds]) => `${name} ${perRequestUs(seconds)}`).join(', ')})` : '';
      return {
        scenario,
        subject: target.subject,
        throughputPerSecond: report.perSecond,
        unit: 'req/s',
        ...latencyColumns(report.latency),
        cpuSeconds,
        ...(baseline && !isBaseline ? { ratio: report.perSecond / baseline.report.perSecond, ratioOf: 'req/s vs the static file' } : {}),
        notes: [
          `${perRequestUs(cpuSeconds)} of server CPU per request${split}; the machine ${Math.round(machineBusy * 100)}% busy`,
          ...(report.errors ? [`${report.errors} failed, the first: ${report.firstError}`] : []),
          generatorNote('readers', report),
        ],
      };
    });
  } finally {
    for (const stop of stops.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
