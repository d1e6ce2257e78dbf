/**
 * Part 1 of the stream benchmark: everyone connected, everyone talking in the room they have open.
 * The same people, rooms and load run twice, each on a fresh ws-service: over `/ws/joinRoom` (one
 * socket per person, in the open room: the baseline) and over `/ws/stream` (one connection per
 * person, subscribed to the open room and watching their other rooms). Measured for each: the
 * server memory the connections take, then the load's delivery, latency and CPU.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchEnv, RunningService } from '../lib/bench-env.js';
import { postgresCpuByPid, postgresCpuSince } from '../lib/postgres-cpu.js';
import { cpuSeconds, machineBusySince, machineCpu, peakRssMiB, rssMiB } from '../lib/process-stats.js';
import { ClientPool, type MergedLoadReport } from './client-pool.js';
import { openRoomOf, type RoomLayoutShape } from './layout.js';
import type { ConnectionKind } from './protocol.js';
import type { StreamWorld } from './setup.js';

/** Time for the server to settle (GC, buffers) after connecting, before its memory is read. */
const SETTLE_MS = 3_000;
/** Connections opening at once, over all client processes: the load, not the connecting, is measured. */
const CONNECT_BATCH = 200;

export interface Connected {
  kind: ConnectionKind;
  pool: ClientPool;
  /** Resident memory before the first connection and once all were open and the server had settled, MiB. */
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** ws-service CPU while connecting, seconds. */
  connectCpuS: number;
}

/** Opens every person's connection (`kind`) to `ws`, from `processes` client processes. */
export async function connectPeople(ws: RunningService, world: StreamWorld, shape: RoomLayoutShape, kind: ConnectionKind, processes: number): Promise<Connected> {
  const rssBeforeMiB = rssMiB(ws.pid);
  const cpuBefore = cpuSeconds(ws.pid);
  const people = world.people.map((_, p) => ({ token: world.tokens[p]!, roomId: world.activeRoomIds[openRoomOf(shape, p)]! }));
  const pool = await ClientPool.open({ kind, url: ws.url.replace('http', 'ws'), people, processes, connectBatch: CONNECT_BATCH });
  const connectCpuS = cpuSeconds(ws.pid) - cpuBefore;
  await sleep(SETTLE_MS);
  return { kind, pool, rssBeforeMiB, rssAfterMiB: rssMiB(ws.pid), connectCpuS };
}

export interface RoomLoadRun {
  connected: Connected;
  report: MergedLoadReport;
  /** Messages stored in the active rooms during the load, counted in the database. */
  stored: number;
  serviceCpuS: number;
  postgresCpuS: number;
  peakRssMiB: number;
  durationMs: number;
  /** The share of the machine's cores busy during the load, every process counted. */
  machineBusy: number;
}

async function storedInActiveRooms(env: BenchEnv, world: StreamWorld): Promise<number> {
  const { rows } = await env.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE room_id = ANY($1::int[]) AND kind = 'message'`, [world.activeRoomIds]);
  return rows[0]!.n;
}

/** Every connected person sends into their open room at Poisson gaps of mean 1 / `perSecond`, for `durationMs`. */
export async function runRoomLoad(env: BenchEnv, ws: RunningService, world: StreamWorld, connected: Connected, perSecond: number, durationMs: number): Promise<RoomLoadRun> {
  const storedBefore = await storedInActiveRooms(env, world);
  const cpuBefore = cpuSeconds(ws.pid);
  const postgresBefore = postgresCpuByPid(env.databaseName);
  const machineBefore = machineCpu();
  const report = await connected.pool.roomLoad(perSecond, durationMs);
  const machineBusy = machineBusySince(machineBefore);
  const serviceCpuS = cpuSeconds(ws.pid) - cpuBefore;
  const postgresCpuS = postgresCpuSince(postgresBefore, env.databaseName);
  return {
    connected,
    report,
    stored: (await storedInActiveRooms(env, world)) - storedBefore,
    serviceCpuS,
    postgresCpuS,
    peakRssMiB: peakRssMiB(ws.pid),
    durationMs,
    machineBusy,
  };
}
