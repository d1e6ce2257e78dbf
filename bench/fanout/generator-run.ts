/**
 * Drives the load-generator processes against a server (config → ready → one or more phases →
 * stop) and reads what the server spent in each phase: CPU of every instance, split into
 * connecting and each phase, peak memory, and PostgreSQL's CPU when asked.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { stopProcess } from '../../scripts/service-process.js';
import { postgresCpuByPid, postgresCpuSince } from '../lib/postgres-cpu.js';
import { openFilesLimit, peakRssMiB, totalCpuSeconds } from '../lib/process-stats.js';
import { replyOf } from '../lib/child-reply.js';
import { summarize } from '../lib/stats.js';
import { listenOverflows } from '../lib/tcp-stats.js';
import type { ChildMessage, ConnectedReport, ConnectionsConfig, GeneratorReport, LoadPhase, OrderCheck, ParentMessage, PhaseReport } from './protocol.js';
import { FANOUT_DIR, type ServerUnderLoad } from './servers.js';

/** Generator processes unless a load names its own: enough that none is the limit on two cores. */
const DEFAULT_GENERATORS = 4;

/** The connections of a run: everything of the generators' config that is not the server's. */
export type Connections = Omit<ConnectionsConfig, 'kind' | 'urls' | 'roomIds' | 'tokens'> & {
  /** Generator processes the connections are split over (default 4). */
  generators?: number;
};

/** A run of one phase: its connections and its load. */
export type Load = Connections & Omit<LoadPhase, 'schedule'> & { schedule?: LoadPhase['schedule'] };

export const phaseOf = (load: Load): LoadPhase => ({
  messagesPerSecondPerSender: load.messagesPerSecondPerSender,
  durationMs: load.durationMs,
  schedule: load.schedule ?? 'independent',
});

export interface GeneratorHooks {
  /** The connections are ready; the first phase starts once this resolves. */
  onReady?(): Promise<void> | void;
  /** Phase `index` is about to start. */
  onPhaseStart?(index: number): Promise<void> | void;
  /** Phase `index` is reported (the connections still open). */
  onPhaseEnd?(index: number, report: GeneratorReport): Promise<void> | void;
}

/**
 * Where each process's share of the connections starts: evenly, each cut moved back to the start
 * of its room when there are enough rooms, so a room's members share one process and its
 * deliveries are counted where its messages were sent.
 */
export function sliceStarts(connections: number, rooms: number, processes: number): number[] {
  const roomOf = (i: number) => Math.floor((i * rooms) / connections);
  const firstOfRoom = (room: number) => Math.ceil((room * connections) / rooms);
  const starts = Array.from({ length: processes }, (_, k) => {
    const even = Math.round((k * connections) / processes);
    return rooms >= processes ? firstOfRoom(roomOf(even)) : even;
  });
  return [...new Set(starts)];
}

const addOrder = (a: OrderCheck, b: OrderCheck): OrderCheck => ({
  checked: a.checked + b.checked,
  withoutSeq: a.withoutSeq + b.withoutSeq,
  outOfOrder: a.outOfOrder + b.outOfOrder,
  gaps: a.gaps + b.gaps,
});

function merge(connected: ConnectedReport[], phase: PhaseReport[]): GeneratorReport {
  const delivering = phase.filter((r) => r.deliveries > 0);
  const firstError = [...connected, ...phase].find((r) => r.firstError !== undefined)?.firstError;
  return {
    connected: connected.reduce((sum, r) => sum + r.connected, 0),
    sent: phase.reduce((sum, r) => sum + r.sent, 0),
    deliveries: phase.reduce((sum, r) => sum + r.deliveries, 0),
    firstDeliveryMs: delivering.length > 0 ? Math.min(...delivering.map((r) => r.firstDeliveryMs)) : 0,
    lastDeliveryMs: Math.max(0, ...phase.map((r) => r.lastDeliveryMs)),
    latency: summarize(phase.flatMap((r) => r.latenciesMs)),
    connectLatency: summarize(connected.flatMap((r) => r.connectLatenciesMs)),
    connectAllMs: Math.max(...connected.map((r) => r.connectAllMs)),
    connectCoreShares: connected.map((r) => r.connectCoreShare),
    coreShares: phase.map((r) => r.coreShare),
    loopDelayP99Ms: Math.max(0, ...phase.map((r) => r.loopDelayP99Ms)),
    errors: [...connected, ...phase].reduce((sum, r) => sum + r.errors, 0),
    ...(firstError === undefined ? {} : { firstError }),
    readsSent: phase.reduce((sum, r) => sum + r.readsSent, 0),
    order: phase.map((r) => r.order).reduce(addOrder, { checked: 0, withoutSeq: 0, outOfOrder: 0, gaps: 0 }),
    openFilesLimit: Math.min(...connected.map((r) => r.openFilesLimit)),
  };
}

/** Every process's next reply of type `type`. */
const replies = <T extends ChildMessage['type']>(children: ChildProcess[], type: T) =>
  Promise.all(children.map((child) => replyOf<ChildMessage, T>(child, type, 'load generator')));

/**
 * Opens `connections` against `server` from several generator processes, plays `phases` one after
 * another and returns each phase's report, once every generator has exited.
 */
export async function runGenerators(server: ServerUnderLoad, connections: Connections, phases: LoadPhase[], hooks: GeneratorHooks = {}): Promise<GeneratorReport[]> {
  const { generators = DEFAULT_GENERATORS, connections: count, rooms, senders, sampleEvery, connectBatch, readReceipts } = connections;
  const shared: ConnectionsConfig = {
    kind: server.kind,
    urls: server.urls,
    ...(server.roomIds ? { roomIds: server.roomIds } : {}),
    ...(server.tokens ? { tokens: server.tokens } : {}),
    connections: count,
    rooms,
    senders,
    sampleEvery,
    connectBatch,
    ...(readReceipts ? { readReceipts } : {}),
  };
  const starts = sliceStarts(shared.connections, shared.rooms, Math.min(generators, shared.connections));
  const children = starts.map(() => fork(path.join(FANOUT_DIR, 'load-generator.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const send = (child: ChildProcess, message: ParentMessage) => child.send(message);
  try {
    const ready = replies(children, 'ready');
    children.forEach((child, k) =>
      send(child, {
        type: 'config',
        config: {
          ...shared,
          connectBatch: Math.max(1, Math.ceil(shared.connectBatch / children.length)),
          first: starts[k]!,
          end: starts[k + 1] ?? shared.connections,
        },
      }),
    );
    const connected = await ready;
    await hooks.onReady?.();
    const reports: GeneratorReport[] = [];
    for (const [index, phase] of phases.entries()) {
      await hooks.onPhaseStart?.(index);
      const sent = replies(children, 'sent');
      for (const child of children) send(child, { type: 'phase', phase });
      const sentByRoom = new Array<number>(shared.rooms).fill(0);
      for (const reply of await sent) reply.sentByRoom.forEach((n, room) => (sentByRoom[room]! += n));
      const reported = replies(children, 'phase-report');
      for (const child of children) send(child, { type: 'drain', sentByRoom });
      const report = merge(connected, await reported);
      await hooks.onPhaseEnd?.(index, report);
      reports.push(report);
    }
    const exited = children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined))));
    for (const child of children) send(child, { type: 'stop' });
    await Promise.all(exited);
    return reports;
  } finally {
    await Promise.all(children.map((child) => stopProcess(child)));
  }
}

/** Runs one phase of `load` against `server` and returns its report. */
export async function runGenerator(server: ServerUnderLoad, load: Load, hooks: GeneratorHooks = {}): Promise<GeneratorReport> {
  const [report] = await runGenerators(server, load, [phaseOf(load)], hooks);
  return report!;
}

export interface LoadResult {
  report: GeneratorReport;
  /** Server CPU seconds, all instances: while the connections opened (murmur: until each had its history)… */
  connectCpuSeconds: number;
  /** …and over the phase, from its start to its report (sending, then draining). */
  loadCpuSeconds: number;
  /** The phase's length in seconds, from its start to its report. */
  loadSeconds: number;
  /** PostgreSQL's CPU seconds over the phase, when a database was named. */
  postgresCpuSeconds?: number;
  /** Peak resident memory, summed over the instances. */
  peakRssMiB: number;
  /** Handshakes the kernel dropped at a full listen queue while connecting (machine-wide). */
  listenOverflows: number;
  /** The lowest soft open-files limit among the server's processes. */
  serverOpenFilesLimit: number;
  /** murmur: messages stored in its rooms during the phase, counted in the database after its report. */
  stored?: number;
  /** murmur: the messages of each INSERT of the phase (see ServerUnderLoad.batchSizesAfter). */
  batchSizes?: number[];
}

/**
 * Runs `phases` on `connections` against `server`, reading the server's CPU (and PostgreSQL's,
 * given the bench database) around connecting and around each phase.
 */
export async function measurePhases(server: ServerUnderLoad, connections: Connections, phases: LoadPhase[], postgresDatabase?: string): Promise<LoadResult[]> {
  const beforeConnect = totalCpuSeconds(server.pids);
  const overflowsBefore = listenOverflows();
  let connectCpuSeconds = 0;
  let overflows = 0;
  let phaseStart = { cpu: 0, at: 0, postgres: new Map<number, number>(), lastMessageId: 0 };
  const results: LoadResult[] = [];
  const serverOpenFilesLimit = Math.min(...server.pids.map((pid) => openFilesLimit(pid)));
  await runGenerators(server, connections, phases, {
    onReady: () => {
      connectCpuSeconds = totalCpuSeconds(server.pids) - beforeConnect;
      overflows = listenOverflows() - overflowsBefore;
    },
    onPhaseStart: async () => {
      const lastMessageId = (await server.lastMessageId?.()) ?? 0;
      phaseStart = { cpu: totalCpuSeconds(server.pids), at: performance.now(), postgres: postgresDatabase ? postgresCpuByPid(postgresDatabase) : new Map<number, number>(), lastMessageId };
    },
    onPhaseEnd: async (_, report) => {
      const loadCpuSeconds = totalCpuSeconds(server.pids) - phaseStart.cpu;
      const loadSeconds = (performance.now() - phaseStart.at) / 1000;
      const postgresCpuSeconds = postgresDatabase ? postgresCpuSince(phaseStart.postgres, postgresDatabase) : undefined;
      const peak = server.pids.reduce((sum, pid) => sum + peakRssMiB(pid), 0);
      const batchSizes = await server.batchSizesAfter?.(phaseStart.lastMessageId);
      results.push({
        report,
        connectCpuSeconds,
        loadCpuSeconds,
        loadSeconds,
        ...(postgresCpuSeconds === undefined ? {} : { postgresCpuSeconds }),
        peakRssMiB: peak,
        listenOverflows: overflows,
        serverOpenFilesLimit,
        ...(batchSizes === undefined ? {} : { stored: batchSizes.reduce((sum, n) => sum + n, 0), batchSizes }),
      });
    },
  });
  return results;
}

/** Runs one phase of `load` against `server`. */
export async function measureLoad(server: ServerUnderLoad, load: Load, postgresDatabase?: string): Promise<LoadResult> {
  const [result] = await measurePhases(server, load, [phaseOf(load)], postgresDatabase);
  return result!;
}

/** Runs `phases` against a server started for them, and stops the server whatever happens. */
export async function measurePhasesOn(start: () => Promise<ServerUnderLoad>, connections: Connections, phases: LoadPhase[], postgresDatabase?: string): Promise<LoadResult[]> {
  const server = await start();
  try {
    return await measurePhases(server, connections, phases, postgresDatabase);
  } finally {
    await server.stop();
  }
}

/** Runs one phase of `load` against a server started for it, and stops the server whatever happens. */
export async function measureOn(start: () => Promise<ServerUnderLoad>, load: Load, postgresDatabase?: string): Promise<LoadResult> {
  const [result] = await measurePhasesOn(start, load, [phaseOf(load)], postgresDatabase);
  return result!;
}
