/**
 * Many small rooms, everyone talking: the load of a chat service at scale, where every client
 * sends at a steady rate and each message reaches its room of ten. murmur stores every message
 * (PostgreSQL's CPU is counted too) and numbers it; the baselines relay only. Each murmur
 * connection checks that its room's seq arrives contiguous and in order.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';
import { measureOn, type Load, type LoadResult } from '../fanout/generator-run.js';
import { loadRow, openFilesNotes, orderVerdict, type LoadFigures } from '../fanout/load-rows.js';
import { startBaseline, startMurmur } from '../fanout/servers.js';

/** Every n-th connection measures latency (a JSON parse per event); the rest only count and check seq. */
const LATENCY_SAMPLE_EVERY = 20;
/** Connections opened at once while connecting: the load, not the connecting, is measured here. */
const CONNECT_BATCH = 200;
/** Latency every message must stay under, at the 99th percentile. */
const P99_GOAL_MS = 100;
/** ws-service CPU per stored message, at most. */
const SERVICE_CPU_GOAL_US = 60;
/** PostgreSQL CPU per stored message, at most. */
const POSTGRES_CPU_GOAL_US = 30;

export interface ManyRoomsOptions {
  connections: number;
  roomSize: number;
  /** Every client sends at this rate. */
  messagesPerSecondPerClient: number;
  durationMs: number;
  /** murmur only: each client also marks what it has read after each message it sends. */
  readReceipts?: boolean;
}

/** The many-rooms load on murmur: its result, figures, and a row without a goal. */
export interface MurmurManyRoomsRun {
  result: LoadResult;
  figures: LoadFigures;
  row: ResultRow;
  /** Every message stored and delivered, p99 within the goal, seq contiguous (when the service numbers). */
  deliveredInOrder: boolean;
}

function manyRoomsLoad(options: ManyRoomsOptions): Load {
  return {
    connections: options.connections,
    rooms: options.connections / options.roomSize,
    senders: options.connections,
    messagesPerSecondPerSender: options.messagesPerSecondPerClient,
    durationMs: options.durationMs,
    sampleEvery: LATENCY_SAMPLE_EVERY,
    connectBatch: CONNECT_BATCH,
    ...(options.readReceipts ? { readReceipts: true } : {}),
  };
}

const offeredPerSecond = (options: ManyRoomsOptions) => options.connections * options.messagesPerSecondPerClient;

export function manyRoomsTitle(options: ManyRoomsOptions): string {
  const rooms = options.connections / options.roomSize;
  return `${options.connections.toLocaleString('en')} clients in ${rooms.toLocaleString('en')} rooms of ${options.roomSize}, each sending ${options.messagesPerSecondPerClient}/s`;
}

/** Several ws-service instances and what joins them (REDIS_URL, …). */
export interface Cluster {
  instances: number;
  env: Record<string, string>;
}

/**
 * Runs the many-rooms load on murmur, one instance or a cluster. Shared with the two-instance
 * scenario, which compares a cluster against one instance.
 */
export async function measureMurmurManyRooms(
  env: BenchEnv,
  options: ManyRoomsOptions,
  label: { scenario: string; subject: string },
  cluster: Cluster = { instances: 1, env: {} },
): Promise<MurmurManyRoomsRun> {
  const load = manyRoomsLoad(options);
  const { instances } = cluster;
  const start = () => startMurmur(env, { users: options.connections, rooms: load.rooms, instances, env: cluster.env });
  const result = await measureOn(start, load, env.databaseName);
  const { row, figures } = loadRow(result, load, label);
  row.notes!.push(...openFilesNotes(result, options.connections, instances));
  // The generator sends on schedule whatever the server does, so the offered rate was kept up
  // with when every planned message was stored and delivered, with p99 latency within the goal.
  const planned = Math.round((options.durationMs / 1000) * options.messagesPerSecondPerClient) * options.connections;
  const deliveredInOrder =
    figures.messages >= planned &&
    result.report.deliveries >= planned * options.roomSize &&
    result.report.latency.p99Ms <= P99_GOAL_MS &&
    orderVerdict(result.report.order).ok;
  return { result, figures, row, deliveredInOrder };
}

export async function manyRoomsScenario(env: BenchEnv, options: ManyRoomsOptions): Promise<{ rows: ResultRow[]; murmur: MurmurManyRoomsRun }> {
  const scenario = `many rooms: ${manyRoomsTitle(options)}`;
  const load = manyRoomsLoad(options);
  const baselines: Array<{ row: ResultRow; figures: LoadFigures }> = [];
  for (const kind of ['socket.io', 'ws-loop'] as const) {
    const result = await measureOn(() => startBaseline(kind), load);
    const subject = kind === 'ws-loop' ? 'baseline: bare ws loop with rooms' : 'baseline: socket.io rooms';
    const baseline = loadRow(result, load, { scenario, subject });
    baseline.row.notes!.push(...openFilesNotes(result, options.connections, 1));
    baselines.push(baseline);
  }
  const murmur = await measureMurmurManyRooms(env, options, { scenario, subject: 'murmur ws-service (stores every message)' });
  const { figures } = murmur;
  // A copy: the run's own row stays goal-free for the two-instance scenario's comparison.
  const row: ResultRow = { ...murmur.row, notes: [...murmur.row.notes!] };
  const offered = offeredPerSecond(options);
  const socketIo = baselines[0]!;
  row.ratio = figures.cpuPerDeliveryUs / socketIo.figures.cpuPerDeliveryUs;
  row.ratioOf = 'CPU/delivery vs socket.io';
  row.goal =
    `≥ ${offered.toLocaleString('en')} stored messages/s (${(offered * options.roomSize).toLocaleString('en')} deliveries/s), all delivered, ` +
    `p99 ≤ ${P99_GOAL_MS} ms; ws-service CPU ≤ ${SERVICE_CPU_GOAL_US} µs and PostgreSQL CPU ≤ ${POSTGRES_CPU_GOAL_US} µs per stored message`;
  row.goalMet =
    murmur.deliveredInOrder && figures.cpuPerMessageUs <= SERVICE_CPU_GOAL_US && (figures.postgresPerMessageUs ?? Infinity) <= POSTGRES_CPU_GOAL_US;
  return { rows: [row, ...baselines.map((b) => b.row)], murmur };
}
