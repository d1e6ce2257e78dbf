/**
 * A join storm: every client connects at once (after a restart or a network blip), each to a
 * room of ten that already holds history, and waits for that history, the first event a joining
 * client gets. Measured: the time until every client has it, and each client's connect→history
 * time. Baseline: a bare `ws` server accepting as many connections (until all are open).
 *
 * The history is filled by sending messages over WebSocket, through the service itself, rather
 * than by SQL: the schema under messages (seq, rooms.last_seq) is the service's to change.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';
import { measureLoad, measureOn, runGenerator, type Load, type LoadResult } from '../fanout/generator-run.js';
import { errorNotes, generatorsNote, listenOverflowNotes, openFilesNotes } from '../fanout/load-rows.js';
import { startBaseline, startMurmur, type ServerUnderLoad } from '../fanout/servers.js';

/** Every client must have its history within this long of the storm's start. */
const ALL_JOINED_GOAL_MS = 2_000;
/** How fast the history is filled, all rooms together: well within what the service stores. */
const FILL_MESSAGES_PER_SECOND = 5_000;
/** A figure so large that no connection samples latency. */
const NO_SAMPLING = 1e9;
const FILL_CONNECT_BATCH = 100;

export interface JoinStormOptions {
  connections: number;
  roomSize: number;
  /** Messages each room holds before the storm. */
  historyPerRoom: number;
}

/** Everyone connects at once and sends nothing. */
function stormLoad(options: JoinStormOptions): Load {
  return {
    connections: options.connections,
    rooms: options.connections / options.roomSize,
    senders: 0,
    messagesPerSecondPerSender: 1,
    durationMs: 0,
    sampleEvery: NO_SAMPLING,
    connectBatch: options.connections,
  };
}

/**
 * Gives each of the server's rooms `perRoom` messages: one connection per room sends them at a
 * steady rate. Returns the messages per room the database then holds.
 */
async function fillHistory(server: ServerUnderLoad, perRoom: number): Promise<number> {
  const rooms = server.roomIds!.length;
  const perSecond = FILL_MESSAGES_PER_SECOND / rooms;
  await runGenerator(server, {
    connections: rooms,
    rooms,
    senders: rooms,
    messagesPerSecondPerSender: perSecond,
    durationMs: (perRoom / perSecond) * 1000,
    sampleEvery: NO_SAMPLING,
    connectBatch: FILL_CONNECT_BATCH,
  });
  return (await server.storedMessages!()) / rooms;
}

/** How a client counts as joined: its state (`had their history`) and the event that ends its connect time. */
interface Readiness {
  reached: string;
  event: string;
}

function stormRow(result: LoadResult, options: JoinStormOptions, label: { scenario: string; subject: string }, ready: Readiness): ResultRow {
  const { report } = result;
  return {
    ...label,
    throughputPerSecond: report.connected / (report.connectAllMs / 1000),
    unit: 'joins/s',
    p50Ms: report.connectLatency.p50Ms,
    p99Ms: report.connectLatency.p99Ms,
    cpuSeconds: result.connectCpuSeconds,
    peakRssMiB: result.peakRssMiB,
    notes: [
      `${report.connected.toLocaleString('en')} of ${options.connections.toLocaleString('en')} clients ${ready.reached} ${report.connectAllMs.toFixed(0)} ms after the storm began; p50/p99 are per client, connect → ${ready.event}`,
      `server CPU: ${((result.connectCpuSeconds / Math.max(1, report.connected)) * 1e6).toFixed(0)} µs per join`,
      ...generatorsNote(report.connectCoreShares),
      ...errorNotes(result),
      ...listenOverflowNotes(result),
      ...openFilesNotes(result, options.connections, 1, true),
    ],
  };
}

export async function joinStormScenario(env: BenchEnv, options: JoinStormOptions): Promise<ResultRow[]> {
  const rooms = options.connections / options.roomSize;
  const scenario = `join storm: ${options.connections.toLocaleString('en')} clients at once, rooms of ${options.roomSize} with ${options.historyPerRoom} messages`;
  const load = stormLoad(options);

  const baselineResult = await measureOn(() => startBaseline('ws-loop'), load);
  const baseline = stormRow(baselineResult, options, { scenario, subject: 'baseline: bare ws server (until open)' }, { reached: 'were open', event: 'open' });

  const server = await startMurmur(env, { users: options.connections, rooms });
  let result: LoadResult;
  let historyPerRoom: number;
  try {
    historyPerRoom = await fillHistory(server, options.historyPerRoom);
    result = await measureLoad(server, load);
  } finally {
    await server.stop();
  }
  const murmur = stormRow(result, options, { scenario, subject: 'murmur ws-service (until history)' }, { reached: 'had their history', event: 'history' });
  murmur.notes!.splice(1, 0, `each room held ${historyPerRoom.toFixed(1)} messages before the storm (counted in the database)`);
  murmur.ratio = result.report.connectAllMs / baselineResult.report.connectAllMs;
  murmur.ratioOf = 'time until all joined vs bare ws';
  murmur.goal = `every client has its history within ${(ALL_JOINED_GOAL_MS / 1000).toFixed(0)} s`;
  murmur.goalMet = result.report.connected === options.connections && result.report.errors === 0 && result.report.connectAllMs <= ALL_JOINED_GOAL_MS;
  return [murmur, baseline];
}
