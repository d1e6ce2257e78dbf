/**
 * One load of the picture scenarios, in a process of its own so that neither its CPU nor its
 * event loop is the benchmark's or another load's: uploaders, a probe of light requests, or
 * keep-alive readers of one file (protocol.ts). Forked by generators.ts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { tellParent } from '../lib/child-reply.js';
import { coreShareSince, sendPoisson } from '../lib/client-timers.js';
import type { ChildMessage, LoadConfig, LoadReport, ParentMessage, ProbeLoad, ReadLoad, UploadLoad } from './protocol.js';

const tell = (message: ChildMessage) => tellParent(message);
const nextMessage = <T extends ParentMessage['type']>(type: T) =>
  new Promise<Extract<ParentMessage, { type: T }>>((resolve) => {
    const on = (m: ParentMessage) => {
      if (m.type !== type) return;
      process.off('message', on);
      resolve(m as Extract<ParentMessage, { type: T }>);
    };
    process.on('message', on);
  });

/** What every load counts as it goes. */
class Tally {
  latenciesMs: number[] = [];
  completedInWindow = 0;
  busy = 0;
  errors = 0;
  firstError: string | undefined;
  bytes = 0;
  error(what: string) {
    this.errors += 1;
    this.firstError ??= what;
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  body: Buffer[];
}

/** One request; the body is kept only when `keepBody` (an error to show), else only counted. */
function send(agent: http.Agent, method: string, url: string, headers: http.OutgoingHttpHeaders, body?: Buffer, keepBody = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      const answer: Answer = { status: res.statusCode ?? 0, headers: res.headers, bytes: 0, body: [] };
      res.on('data', (chunk: Buffer) => {
        answer.bytes += chunk.length;
        if (keepBody || answer.status >= 400) answer.body.push(chunk);
      });
      res.on('end', () => resolve(answer));
      res.on('error', reject);
      // An answer cut short (the service closing the connection) ends with neither: settle it
      // here, or the load would wait on it forever.
      res.on('close', () => {
        if (!res.complete) reject(new Error(`the answer (${answer.status}) was cut off`));
      });
    });
    req.on('close', () => reject(new Error('the connection closed before an answer')));
    // The service may answer (503) before the whole body is sent, and close: that is no error then.
    req.on('error', reject);
    req.end(body);
  });
}

const describe = (answer: Answer) => `${answer.status} ${Buffer.concat(answer.body).toString().slice(0, 200)}`;

/** A form with the picture in `file` and a description, as the web client sends it. */
function uploadForm(picture: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----murmur-bench-${randomBytes(12).toString('hex')}`;
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nA picture sent by the benchmark\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="picture.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), picture, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Each client uploads, one upload at a time, until the time is up; what is under way then
 * finishes. Resolves the time from the start to the last successful answer: the service is
 * busy with the uploads throughout (its queue drains at full speed to the last picture), and a
 * run of seconds holds only a few uploads of many seconds each.
 */
async function runUploads(load: UploadLoad, tally: Tally): Promise<number> {
  const form = uploadForm(readFileSync(load.file));
  const agent = new http.Agent({ keepAlive: true, maxSockets: load.tokens.length });
  const started = performance.now();
  const endsAt = started + load.durationMs;
  let lastEnd = started;
  await Promise.all(
    load.tokens.map(async (token) => {
      const headers = { authorization: `Bearer ${token}`, 'content-type': form.contentType, 'content-length': String(form.body.length) };
      while (performance.now() < endsAt) {
        const t0 = performance.now();
        try {
          const answer = await send(agent, 'POST', load.url, headers, form.body);
          const t1 = performance.now();
          if (answer.status === 201) {
            tally.latenciesMs.push(t1 - t0);
            tally.completedInWindow += 1;
            lastEnd = Math.max(lastEnd, t1);
          } else if (answer.status === 503) {
            tally.busy += 1;
            const retryAfterMs = Number(answer.headers['retry-after'] ?? 1) * 1000 * load.retryAfterScale;
            await sleep(Math.max(0, Math.min(retryAfterMs, endsAt - performance.now())));
          } else {
            tally.error(describe(answer));
            await sleep(100);
          }
        } catch (err) {
          tally.error(String(err));
          await sleep(100);
        }
      }
    }),
  );
  agent.destroy();
  return lastEnd - started;
}

/** Light requests at Poisson arrivals, each client on its own timer, never waiting for an answer. */
async function runProbe(load: ProbeLoad, tally: Tally): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const headers = { authorization: `Bearer ${load.token}` };
  const pending = new Set<Promise<void>>();
  const clients = Array.from({ length: load.clients }, (_, k) => k);
  await sendPoisson(clients, load.perSecond / load.clients, load.durationMs, (client, _index, n) => {
    const url = load.urls[(client + n) % load.urls.length]!;
    const t0 = performance.now();
    const done = send(agent, 'GET', url, headers)
      .then((answer) => {
        if (answer.status !== 200) return tally.error(`${url}: ${describe(answer)}`);
        tally.latenciesMs.push(performance.now() - t0);
        tally.completedInWindow += 1;
        tally.bytes += answer.bytes;
      })
      .catch((err: unknown) => tally.error(String(err)))
      .finally(() => pending.delete(done));
    pending.add(done);
  });
  await Promise.all(pending);
  agent.destroy();
}

/** Keep-alive readers of one file, back to back: a warm-up, then the measured window. */
async function runReads(load: ReadLoad, tally: Tally, onMeasureStart: () => void): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: load.connections });
  const warmEndsAt = performance.now() + load.warmupMs;
  const endsAt = warmEndsAt + load.durationMs;
  let measuring = false;
  const warm = setTimeout(() => {
    measuring = true;
    onMeasureStart();
  }, load.warmupMs);
  await Promise.all(
    Array.from({ length: load.connections }, async () => {
      while (performance.now() < endsAt) {
        const t0 = performance.now();
        const counted = measuring;
        try {
          const answer = await send(agent, 'GET', load.url, {});
          const t1 = performance.now();
          if (answer.status !== 200 || answer.bytes !== load.expectedBytes) tally.error(`${answer.bytes} bytes: ${describe(answer)}`);
          else if (counted && t1 <= endsAt) {
            tally.latenciesMs.push(t1 - t0);
            tally.completedInWindow += 1;
            tally.bytes += answer.bytes;
          }
        } catch (err) {
          tally.error(String(err));
          await sleep(10);
        }
      }
    }),
  );
  clearTimeout(warm);
  agent.destroy();
}

async function run(config: LoadConfig): Promise<LoadReport> {
  const tally = new Tally();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let cpuBefore = process.cpuUsage();
  let measuredFrom = performance.now();
  const startMeasuring = () => {
    loopDelay.reset();
    loopDelay.enable();
    cpuBefore = process.cpuUsage();
    measuredFrom = performance.now();
  };
  let elapsedMs = config.durationMs;
  if (config.kind === 'read') {
    await runReads(config, tally, startMeasuring);
  } else {
    startMeasuring();
    if (config.kind === 'upload') elapsedMs = await runUploads(config, tally);
    else await runProbe(config, tally);
  }
  // CPU and loop delay over the measured window, whatever finished after it.
  const coreShare = coreShareSince(cpuBefore, performance.now() - measuredFrom);
  loopDelay.disable();
  return {
    type: 'report',
    latenciesMs: tally.latenciesMs,
    completedInWindow: tally.completedInWindow,
    elapsedMs,
    busy: tally.busy,
    errors: tally.errors,
    ...(tally.firstError === undefined ? {} : { firstError: tally.firstError }),
    bytes: tally.bytes,
    coreShare,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
  };
}

async function main(): Promise<void> {
  const { config } = await nextMessage('config');
  const start = nextMessage('start');
  await tell({ type: 'ready' });
  await start;
  await tell(await run(config));
  process.disconnect();
}

main().catch(async (err: unknown) => {
  process.exitCode = 1;
  await tell({ type: 'failed', message: String(err) }).catch(() => undefined);
  process.disconnect();
});
