/**
 * Many small rooms, everyone talking: the load of a chat service at scale. Every client is
 * independent (its own timer, Poisson gaps from a random phase), so messages reach the server one
 * by one, as real clients' do, and each reaches its room of ten. Each server gets the same
 * connections through a run of phases: idle (what the open sockets cost on their own), then each
 * rate in turn. murmur stores every message (PostgreSQL's CPU is counted too, and the database
 * tells how the writes were batched) and numbers it; each murmur connection checks that its
 * room's seq arrives contiguous and in order. The floor is a bare `ws` server with rooms (no
 * auth, no storage, no parse), beside socket.io rooms, on the same generator in the same run.
 *
 * The old generator, one timer sending every due message at each tick, is kept as one labelled
 * row: its bunches let the server share each write, flush and INSERT, which no real load does.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';
import { measurePhasesOn, type Connections, type LoadResult } from '../fanout/generator-run.js';
import { idleCostOf, loadRow, openFilesNotes, orderVerdict, type IdleCost, type LoadFigures } from '../fanout/load-rows.js';
import type { LoadPhase, ServerKind } from '../fanout/protocol.js';
import { rawMessageInserts, type RawInsertsResult } from '../fanout/raw-message-inserts.js';
import { startBaseline, startMurmur, type ServerUnderLoad } from '../fanout/servers.js';

/** Connections opened at once while connecting: the load, not the connecting, is measured here. */
const CONNECT_BATCH = 200;
/** ws-service CPU with every socket open and nobody sending, at most (a share of one core). */
const IDLE_CORE_SHARE_GOAL = 0.05;

/**
 * The goals at each rate (messages/s over all clients): ws-service CPU per message above idle
 * against the floor's, PostgreSQL CPU per stored message, and delivery p99 (in ms, or against
 * the floor's p99).
 */
const GOALS: Record<number, { cpuVsFloor: number; postgresUs: number; p99Ms?: number; p99VsFloor?: number }> = {
  100: { cpuVsFloor: 1.5, postgresUs: 300, p99Ms: 20 },
  2_000: { cpuVsFloor: 1.2, postgresUs: 60, p99VsFloor: 1.5 },
  5_000: { cpuVsFloor: 1.2, postgresUs: 40, p99VsFloor: 2 },
};

export interface ManyRoomsOptions {
  connections: number;
  roomSize: number;
  /** The rates measured, in messages per second over all clients, each a phase of `durationMs`. */
  ratesPerSecond: number[];
  durationMs: number;
  /** The idle phase before them: every socket open, nobody sending. */
  idleMs: number;
  /** The bunched generator's rate, run on murmur and the floor after the rest (0: left out). */
  bunchedPerSecond: number;
  /** murmur only: each client also marks what it has read after each message it sends. */
  readReceipts?: boolean;
  /** murmur only: accounts (outside every room) each user blocks. */
  blocksPerUser?: number;
}

/** One phase on one server: its result, figures and row. */
export interface PhaseRun {
  result: LoadResult;
  figures: LoadFigures;
  row: ResultRow;
  /** Every message stored (murmur) and delivered to every member, seq contiguous (when the service numbers). */
  deliveredInOrder: boolean;
}

/** One server through the idle phase and every rate. */
export interface ManyRoomsRun {
  idle: LoadResult;
  idleCost: IdleCost;
  byRate: Map<number, PhaseRun>;
}

const roomsOf = (options: ManyRoomsOptions) => options.connections / options.roomSize;

function connectionsOf(options: ManyRoomsOptions, readReceipts = false): Connections {
  return {
    connections: options.connections,
    rooms: roomsOf(options),
    senders: options.connections,
    // One receiver per room parses every message it gets, for latency: enough samples at 100/s.
    sampleEvery: options.roomSize,
    connectBatch: CONNECT_BATCH,
    ...(readReceipts ? { readReceipts: true } : {}),
  };
}

const count = (n: number) => Math.round(n).toLocaleString('en');

export function manyRoomsTitle(options: ManyRoomsOptions, perSecond: number, schedule: LoadPhase['schedule'] = 'independent'): string {
  const who = schedule === 'independent' ? 'each client on its own Poisson timer' : 'BUNCHED: one timer per generator sends every due message at each tick';
  return `${count(options.connections)} clients in ${count(roomsOf(options))} rooms of ${options.roomSize}, ${count(perSecond)} messages/s in all, ${who}`;
}

/** Several ws-service instances and what joins them (REDIS_URL, …). */
export interface Cluster {
  instances: number;
  env: Record<string, string>;
}

const phaseAt = (options: ManyRoomsOptions, perSecond: number, schedule: LoadPhase['schedule'] = 'independent'): LoadPhase => ({
  messagesPerSecondPerSender: perSecond / options.connections,
  durationMs: options.durationMs,
  schedule,
});

function deliveredInOrder(result: LoadResult, figures: LoadFigures): boolean {
  const { report } = result;
  const stored = result.stored === undefined || result.stored >= report.sent;
  return stored && report.deliveries >= figures.expectedDeliveries && report.errors === 0 && orderVerdict(report.order).ok;
}

function idleRow(idle: LoadResult, cost: IdleCost, label: { scenario: string; subject: string }, goal: boolean): ResultRow {
  const share = cost.cpuPerSecond;
  return {
    ...label,
    cpuSeconds: idle.loadCpuSeconds,
    peakRssMiB: idle.peakRssMiB,
    notes: [
      `${(share * 100).toFixed(1)}% of a core with ${count(idle.report.connected)} sockets open and nobody sending, over ${idle.loadSeconds.toFixed(0)} s` +
        (cost.postgresPerSecond === undefined ? '' : `; PostgreSQL ${(cost.postgresPerSecond * 100).toFixed(1)}% of a core meanwhile`),
    ],
    ...(goal ? { goal: `≤ ${IDLE_CORE_SHARE_GOAL * 100}% of a core`, goalMet: share <= IDLE_CORE_SHARE_GOAL } : {}),
  };
}

/**
 * Runs the idle phase and every rate on one server started for them (murmur: one instance or a
 * cluster). Shared with the read-receipt and two-instance scenarios, which compare against it.
 */
export async function measureManyRooms(
  env: BenchEnv,
  kind: ServerKind,
  options: ManyRoomsOptions,
  label: { scenario: (perSecond: number) => string; subject: string },
  cluster: Cluster = { instances: 1, env: {} },
): Promise<ManyRoomsRun> {
  const murmur = kind === 'murmur';
  const start = (): Promise<ServerUnderLoad> =>
    murmur
      ? startMurmur(env, { users: options.connections, rooms: roomsOf(options), instances: cluster.instances, env: cluster.env, blocksPerUser: options.blocksPerUser })
      : startBaseline(kind);
  const phases = [{ messagesPerSecondPerSender: 0, durationMs: options.idleMs, schedule: 'independent' as const }, ...options.ratesPerSecond.map((rate) => phaseAt(options, rate))];
  const [idle, ...loads] = await measurePhasesOn(start, connectionsOf(options, murmur && options.readReceipts), phases, murmur ? env.databaseName : undefined);
  const idleCost = idleCostOf(idle!);
  const byRate = new Map<number, PhaseRun>();
  options.ratesPerSecond.forEach((rate, i) => {
    const result = loads[i]!;
    const { row, figures } = loadRow(result, { connections: options.connections, rooms: roomsOf(options), durationMs: options.durationMs }, { scenario: label.scenario(rate), subject: label.subject }, idleCost);
    row.notes!.push(...openFilesNotes(result, options.connections, cluster.instances));
    byRate.set(rate, { result, figures, row, deliveredInOrder: deliveredInOrder(result, figures) });
  });
  return { idle: idle!, idleCost, byRate };
}

/** The bunched generator on one server: the old figure, for comparison. */
async function measureBunched(env: BenchEnv, kind: 'murmur' | 'ws-loop', options: ManyRoomsOptions, subject: string): Promise<PhaseRun> {
  const murmur = kind === 'murmur';
  const start = () => (murmur ? startMurmur(env, { users: options.connections, rooms: roomsOf(options) }) : startBaseline(kind));
  const [result] = await measurePhasesOn(start, connectionsOf(options), [phaseAt(options, options.bunchedPerSecond, 'bunched')], murmur ? env.databaseName : undefined);
  const scenario = `many rooms: ${manyRoomsTitle(options, options.bunchedPerSecond, 'bunched')}`;
  const { row, figures } = loadRow(result!, { connections: options.connections, rooms: roomsOf(options), durationMs: options.durationMs }, { scenario, subject });
  return { result: result!, figures, row, deliveredInOrder: deliveredInOrder(result!, figures) };
}

const MURMUR_SUBJECT = 'murmur ws-service (stores every message)';
const RAW_INSERT_SUBJECT = 'floor for PostgreSQL: raw pg, one INSERT and one commit per message';

function rawInsertRow(raw: RawInsertsResult, scenario: string, durationMs: number): ResultRow {
  return {
    scenario,
    subject: RAW_INSERT_SUBJECT,
    throughputPerSecond: raw.messages / (durationMs / 1000),
    unit: 'messages/s',
    p50Ms: raw.p50Ms,
    p99Ms: raw.p99Ms,
    notes: [
      `${count(raw.messages)} messages, each stored alone; PostgreSQL CPU ${raw.postgresPerMessageUs.toFixed(1)} µs per message; ` +
        `the client's CPU ${raw.clientPerMessageUs.toFixed(1)} µs per round trip (what one database round trip per message costs the sender)`,
    ],
  };
}
const FLOOR_SUBJECT = 'floor: bare ws server with rooms';

/** Grades murmur's row at `rate` against the floor's row at the same rate. */
function grade(murmur: PhaseRun, floor: PhaseRun, rate: number): void {
  const goal = GOALS[rate];
  const { row, figures } = murmur;
  const serviceUs = figures.cpuAboveIdlePerMessageUs ?? figures.cpuPerMessageUs;
  const floorUs = floor.figures.cpuAboveIdlePerMessageUs ?? floor.figures.cpuPerMessageUs;
  row.ratio = serviceUs / floorUs;
  row.ratioOf = 'ws-service CPU per message above idle vs the floor';
  const p99 = row.p99Ms ?? Infinity;
  const floorP99 = floor.row.p99Ms ?? Infinity;
  row.notes!.unshift(`against the floor: CPU per message ${row.ratio.toFixed(2)}× (${serviceUs.toFixed(0)} against ${floorUs.toFixed(0)} µs), p99 ${(p99 / floorP99).toFixed(2)}× (${p99.toFixed(1)} against ${floorP99.toFixed(1)} ms)`);
  if (!goal) {
    row.goal = 'every message stored and delivered, seq contiguous';
    row.goalMet = murmur.deliveredInOrder;
    return;
  }
  const p99Goal = goal.p99Ms ?? goal.p99VsFloor! * floorP99;
  const p99Text = goal.p99Ms !== undefined ? `p99 ≤ ${goal.p99Ms} ms` : `p99 ≤ ${goal.p99VsFloor}× the floor's (${p99Goal.toFixed(0)} ms)`;
  row.goal = `every message stored and delivered in order, ${p99Text}; ws-service CPU ≤ ${goal.cpuVsFloor}× the floor, PostgreSQL ≤ ${goal.postgresUs} µs per stored message`;
  row.goalMet = murmur.deliveredInOrder && p99 <= p99Goal && row.ratio <= goal.cpuVsFloor && (figures.postgresAboveIdlePerMessageUs ?? figures.postgresPerMessageUs ?? Infinity) <= goal.postgresUs;
}

export async function manyRoomsScenario(env: BenchEnv, options: ManyRoomsOptions): Promise<{ rows: ResultRow[]; murmur: ManyRoomsRun }> {
  const scenario = (perSecond: number) => `many rooms: ${manyRoomsTitle(options, perSecond)}`;
  const floor = await measureManyRooms(env, 'ws-loop', options, { scenario, subject: FLOOR_SUBJECT });
  const socketIo = await measureManyRooms(env, 'socket.io', options, { scenario, subject: 'baseline: socket.io rooms (no storage)' });
  const murmur = await measureManyRooms(env, 'murmur', options, { scenario, subject: MURMUR_SUBJECT });

  const idleScenario = `many rooms, idle: ${count(options.connections)} sockets in ${count(roomsOf(options))} rooms of ${options.roomSize}, nobody sending`;
  const rows: ResultRow[] = [
    idleRow(murmur.idle, murmur.idleCost, { scenario: idleScenario, subject: 'murmur ws-service' }, true),
    idleRow(floor.idle, floor.idleCost, { scenario: idleScenario, subject: FLOOR_SUBJECT }, false),
  ];
  for (const rate of options.ratesPerSecond) {
    const ours = murmur.byRate.get(rate)!;
    const bare = floor.byRate.get(rate)!;
    grade(ours, bare, rate);
    const raw = await rawMessageInserts(env, { rooms: roomsOf(options), perSecond: rate, durationMs: options.durationMs });
    const rawRow = rawInsertRow(raw, scenario(rate), options.durationMs);
    const postgresUs = ours.figures.postgresAboveIdlePerMessageUs ?? ours.figures.postgresPerMessageUs;
    if (postgresUs !== undefined) ours.row.notes!.splice(1, 0, `PostgreSQL per stored message ${(postgresUs / raw.postgresPerMessageUs).toFixed(2)}× the raw INSERT's (${postgresUs.toFixed(0)} against ${raw.postgresPerMessageUs.toFixed(0)} µs)`);
    rows.push(ours.row, bare.row, socketIo.byRate.get(rate)!.row, rawRow);
  }
  if (options.bunchedPerSecond > 0) {
    const ours = await measureBunched(env, 'murmur', options, MURMUR_SUBJECT);
    const bare = await measureBunched(env, 'ws-loop', options, FLOOR_SUBJECT);
    grade(ours, bare, options.bunchedPerSecond);
    ours.row.goal = 'none: a load no real client sends, kept to compare with earlier figures';
    delete ours.row.goalMet;
    rows.push(ours.row, bare.row);
  }
  return { rows, murmur };
}
