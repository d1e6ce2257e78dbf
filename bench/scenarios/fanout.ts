/**
 * Room fan-out and idle connections over WebSocket: ws-service (authenticated, storing every
 * message) against socket.io rooms and a bare `ws` broadcast loop on the same load. Load comes
 * from a separate generator process; server CPU and memory are read from /proc.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import { rssMiB, peakRssMiB } from '../lib/process-stats.js';
import type { ResultRow } from '../lib/report.js';
import { measureOn, runGenerator } from '../fanout/generator-run.js';
import { loadRow, type LoadFigures } from '../fanout/load-rows.js';
import type { ServerKind } from '../fanout/protocol.js';
import { startBaseline, startMurmur, type ServerUnderLoad } from '../fanout/servers.js';

/** Time for a server to settle (GC, buffers) before its idle memory is read. */
const IDLE_SETTLE_MS = 3_000;
/** Every n-th connection measures latency. */
const LATENCY_SAMPLE_EVERY = 20;
/** Connections opened at once while connecting, for the load runs. */
const CONNECT_BATCH = 100;
/** A figure so large that no connection samples latency. */
const NO_SAMPLING = 1e9;

export interface FanoutOptions {
  connections: number;
  senders: number;
  messagesPerSecondPerSender: number;
  durationMs: number;
}

export async function fanoutScenario(env: BenchEnv, options: FanoutOptions): Promise<ResultRow[]> {
  const scenario = `room fan-out: ${options.connections} clients, ${options.senders} senders × ${options.messagesPerSecondPerSender}/s`;
  const offeredPerSecond = options.connections * options.senders * options.messagesPerSecondPerSender;
  const load = { ...options, rooms: 1, sampleEvery: LATENCY_SAMPLE_EVERY, connectBatch: CONNECT_BATCH };
  const measured = new Map<ServerKind, { row: ResultRow; figures: LoadFigures }>();
  for (const kind of ['socket.io', 'ws-loop', 'murmur'] as const) {
    const murmur = kind === 'murmur';
    const start = () => (murmur ? startMurmur(env, { users: options.connections, rooms: 1 }) : startBaseline(kind));
    const result = await measureOn(start, load, murmur ? env.databaseName : undefined);
    const subject = murmur ? 'murmur ws-service (stores every message)' : `baseline: ${kind === 'ws-loop' ? 'bare ws broadcast loop' : 'socket.io rooms'}`;
    measured.set(kind, loadRow(result, load, { scenario, subject }));
  }
  const socketIo = measured.get('socket.io')!;
  const murmur = measured.get('murmur')!;
  const ratio = murmur.figures.cpuPerDeliveryUs / socketIo.figures.cpuPerDeliveryUs;
  murmur.row.ratio = ratio;
  murmur.row.ratioOf = 'CPU/delivery vs socket.io';
  murmur.row.goal = `full offered load (${offeredPerSecond.toLocaleString('en')}/s), p99 ≤ 100 ms, ≤ 0.5× socket.io CPU/delivery`;
  murmur.row.goalMet =
    murmur.figures.deliveredShare >= 0.99 && murmur.figures.deliveriesPerSecond >= offeredPerSecond * 0.98 && murmur.row.p99Ms! <= 100 && ratio <= 0.5;
  return [murmur.row, socketIo.row, measured.get('ws-loop')!.row];
}

/** The server's memory once `connections` idle sockets are open and it has settled. */
async function idleMemory(server: ServerUnderLoad, connections: number): Promise<{ before: number; after: number; peak: number }> {
  const before = rssMiB(server.pids[0]!);
  let after = before;
  const load = { connections, rooms: 1, senders: 0, messagesPerSecondPerSender: 1, durationMs: 0, sampleEvery: NO_SAMPLING, connectBatch: 200 };
  await runGenerator(server, load, {
    onReady: async () => {
      await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
      after = rssMiB(server.pids[0]!);
    },
  });
  return { before, after, peak: peakRssMiB(server.pids[0]!) };
}

export async function idleScenario(env: BenchEnv, connections: number): Promise<ResultRow[]> {
  const scenario = `idle: ${connections.toLocaleString('en')} authenticated sockets`;
  const rows: ResultRow[] = [];
  const kbPerConnection: number[] = [];
  for (const kind of ['ws-loop', 'murmur'] as const) {
    // murmur: rooms of 100, as chat rooms are; one room of 15,000 would be a fan-out test.
    const server = kind === 'murmur' ? await startMurmur(env, { users: Math.min(connections, 1_000), rooms: Math.ceil(connections / 100) }) : await startBaseline(kind);
    let memory: Awaited<ReturnType<typeof idleMemory>>;
    try {
      memory = await idleMemory(server, connections);
    } finally {
      await server.stop();
    }
    const perConnectionKB = ((memory.after - memory.before) * 1024) / connections;
    kbPerConnection.push(perConnectionKB);
    rows.push({
      scenario,
      subject: kind === 'murmur' ? 'murmur ws-service' : 'baseline: bare ws server',
      peakRssMiB: memory.peak,
      notes: [`${perConnectionKB.toFixed(1)} KB of server memory per connection (RSS ${memory.before.toFixed(0)} → ${memory.after.toFixed(0)} MiB)`],
      ...(kind === 'murmur' ? { goal: '≤ 10 KB per connection', goalMet: perConnectionKB <= 10 } : {}),
    });
  }
  const [baseline, murmur] = rows;
  murmur!.ratio = kbPerConnection[1]! / kbPerConnection[0]!;
  murmur!.ratioOf = 'memory/connection vs bare ws';
  return [murmur!, baseline!];
}
