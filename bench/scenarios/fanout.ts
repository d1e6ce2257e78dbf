/**
 * Room fan-out and idle connections over WebSocket: ws-service (authenticated, storing every
 * message) against socket.io rooms and a bare `ws` broadcast loop on the same load. Load comes
 * from a separate generator process; server CPU and memory are read from /proc.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchEnv } from '../lib/bench-env.js';
import { freePort } from '../../scripts/local-postgres.js';
import { stopProcess } from '../../scripts/service-process.js';
import { createAgent, expectStatus } from '../lib/http-client.js';
import { cpuSeconds, peakRssMiB, rssMiB } from '../lib/process-stats.js';
import type { ResultRow } from '../lib/report.js';
import type { ChildMessage, GeneratorConfig, GeneratorReport, ServerKind } from '../fanout/protocol.js';

const FANOUT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fanout');
/** Time for a server to settle (GC, buffers) before its idle memory is read. */
const IDLE_SETTLE_MS = 3_000;

interface ServerUnderLoad {
  kind: ServerKind;
  pid: number;
  url: string;
  /** murmur: rooms created for the load, and tokens to join them. */
  roomIds?: number[];
  tokens?: string[];
  stop(): Promise<void>;
}

async function startBaseline(kind: 'ws-loop' | 'socket.io'): Promise<ServerUnderLoad> {
  const port = await freePort();
  const file = kind === 'ws-loop' ? 'ws-loop-server.js' : 'socketio-server.js';
  const child = fork(path.join(FANOUT_DIR, file), [String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', () => reject(new Error(`${kind} server exited`)));
  });
  const scheme = kind === 'ws-loop' ? 'ws' : 'http';
  return { kind, pid: child.pid!, url: `${scheme}://127.0.0.1:${port}`, stop: () => stopProcess(child) };
}

async function startMurmur(env: BenchEnv, users: number, rooms: number): Promise<ServerUnderLoad> {
  const service = await env.startService('ws-service', {
    // The generator's senders are well-behaved; the limiter must not shape the benchmark.
    WS_MESSAGES_PER_SECOND: '1000',
    WS_MESSAGE_BURST: '1000',
  });
  const accounts = await env.bulkUsers(`ws${Date.now()}`, users);
  const tokens: string[] = [];
  for (const account of accounts) tokens.push(await env.issueToken(account));
  const agent = createAgent(1);
  const roomIds: number[] = [];
  for (let i = 0; i < rooms; i += 1) {
    const res = await expectStatus(200, agent, 'POST', `${service.url}/ws/createRoom`, { authorization: `Bearer ${tokens[0]}` }, JSON.stringify({ name: `bench ${i}` }));
    roomIds.push((JSON.parse(res.body) as { id: number }).id);
  }
  agent.destroy();
  return { kind: 'murmur', pid: service.pid, url: service.url.replace('http', 'ws'), roomIds, tokens, stop: () => service.stop() };
}

/** Runs one generator against `server`; `during` runs between 'start' and the report. */
async function runGenerator(
  server: ServerUnderLoad,
  load: Omit<GeneratorConfig, 'kind' | 'url' | 'roomIds' | 'tokens'>,
  onReady: (generator: ChildProcess) => Promise<void> | void = () => undefined,
): Promise<GeneratorReport> {
  const config: GeneratorConfig = { ...load, kind: server.kind, url: server.url, roomIds: server.roomIds, tokens: server.tokens };
  const generator = fork(path.join(FANOUT_DIR, 'load-generator.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  generator.send({ type: 'config', config });
  return new Promise((resolve, reject) => {
    generator.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        Promise.resolve(onReady(generator)).then(() => generator.send({ type: 'start' }), reject);
      } else if (message.type === 'report') resolve(message);
      else reject(new Error(`load generator failed: ${message.message}`));
    });
    // A report settles the promise first; an exit without one is a failure.
    generator.once('exit', (code, signal) => reject(new Error(`load generator exited (${signal ?? code}) without a report`)));
  });
}

export interface FanoutOptions {
  connections: number;
  senders: number;
  messagesPerSecondPerSender: number;
  durationMs: number;
}

export async function fanoutScenario(env: BenchEnv, options: FanoutOptions): Promise<ResultRow[]> {
  const scenario = `room fan-out: ${options.connections} clients, ${options.senders} senders × ${options.messagesPerSecondPerSender}/s`;
  const offeredPerSecond = options.connections * options.senders * options.messagesPerSecondPerSender;
  const measured: Array<{ kind: ServerKind; row: ResultRow; cpuPerDeliveryUs: number; deliveredShare: number }> = [];
  for (const kind of ['socket.io', 'ws-loop', 'murmur'] as const) {
    const server = kind === 'murmur' ? await startMurmur(env, options.connections, 1) : await startBaseline(kind);
    let cpuAtStart = 0;
    let report: GeneratorReport;
    let cpu: number;
    let peak: number;
    try {
      report = await runGenerator(server, { ...options, sampleEvery: 20, connectBatch: 100 }, () => void (cpuAtStart = cpuSeconds(server.pid)));
      cpu = cpuSeconds(server.pid) - cpuAtStart;
      peak = peakRssMiB(server.pid);
    } finally {
      await server.stop();
    }
    const latency = report.latency;
    const perSecond = report.deliveries / (options.durationMs / 1000);
    const cpuPerDeliveryUs = (cpu / Math.max(1, report.deliveries)) * 1e6;
    const expected = report.sent * options.connections;
    const notes = [
      `${report.deliveries.toLocaleString('en')} of ${expected.toLocaleString('en')} deliveries (${((report.deliveries / Math.max(1, expected)) * 100).toFixed(1)}%), ${cpuPerDeliveryUs.toFixed(2)} µs server CPU per delivery`,
      report.coreShare > 0.9
        ? `the load generator used ${Math.round(report.coreShare * 100)}% of a core: it, not the server, may have been the limit`
        : `load generator at ${Math.round(report.coreShare * 100)}% of a core`,
    ];
    if (report.errors) notes.push(`${report.errors} connection errors`);
    measured.push({
      kind,
      cpuPerDeliveryUs,
      deliveredShare: report.deliveries / Math.max(1, expected),
      row: {
        scenario,
        subject: kind === 'murmur' ? 'murmur ws-service (stores every message)' : `baseline: ${kind === 'ws-loop' ? 'bare ws broadcast loop' : 'socket.io rooms'}`,
        throughputPerSecond: perSecond,
        unit: 'deliveries/s',
        p50Ms: latency.p50Ms,
        p99Ms: latency.p99Ms,
        cpuSeconds: cpu,
        peakRssMiB: peak,
        notes,
      },
    });
  }
  const socketIo = measured.find((m) => m.kind === 'socket.io')!;
  const murmur = measured.find((m) => m.kind === 'murmur')!;
  const ratio = murmur.cpuPerDeliveryUs / socketIo.cpuPerDeliveryUs;
  murmur.row.ratio = ratio;
  murmur.row.ratioOf = 'CPU/delivery vs socket.io';
  murmur.row.goal = `full offered load (${offeredPerSecond.toLocaleString('en')}/s), p99 ≤ 100 ms, ≤ 0.5× socket.io CPU/delivery`;
  murmur.row.goalMet = murmur.deliveredShare >= 0.99 && murmur.row.throughputPerSecond! >= offeredPerSecond * 0.98 && murmur.row.p99Ms! <= 100 && ratio <= 0.5;
  return [murmur.row, socketIo.row, measured.find((m) => m.kind === 'ws-loop')!.row];
}

export async function idleScenario(env: BenchEnv, connections: number): Promise<ResultRow[]> {
  const scenario = `idle: ${connections.toLocaleString('en')} authenticated sockets`;
  const rows: ResultRow[] = [];
  const kbPerConnection: number[] = [];
  for (const kind of ['ws-loop', 'murmur'] as const) {
    // murmur: rooms of 100, as chat rooms are; one room of 15,000 would be a fan-out test.
    const server = kind === 'murmur' ? await startMurmur(env, Math.min(connections, 1_000), Math.ceil(connections / 100)) : await startBaseline(kind);
    const before = rssMiB(server.pid);
    let after = before;
    let peak: number;
    try {
      const load = { connections, senders: 0, messagesPerSecondPerSender: 1, durationMs: 0, sampleEvery: 1e9, connectBatch: 200 };
      await runGenerator(server, load, async (generator) => {
        await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
        after = rssMiB(server.pid);
        setImmediate(() => generator.send({ type: 'stop' }));
      });
      peak = peakRssMiB(server.pid);
    } finally {
      await server.stop();
    }
    const perConnectionKB = ((after - before) * 1024) / connections;
    kbPerConnection.push(perConnectionKB);
    rows.push({
      scenario,
      subject: kind === 'murmur' ? 'murmur ws-service' : 'baseline: bare ws server',
      peakRssMiB: peak,
      notes: [`${perConnectionKB.toFixed(1)} KB of server memory per connection (RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB)`],
      ...(kind === 'murmur' ? { goal: '≤ 10 KB per connection', goalMet: perConnectionKB <= 10 } : {}),
    });
  }
  const [baseline, murmur] = rows;
  murmur!.ratio = kbPerConnection[1]! / kbPerConnection[0]!;
  murmur!.ratioOf = 'memory/connection vs bare ws';
  return [murmur!, baseline!];
}
