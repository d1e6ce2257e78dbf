/**
 * Drives one load-generator process against a server (config → ready → start → report → stop)
 * and reads what the server spent while it ran: CPU of every instance, split into connecting
 * and loading, peak memory, and PostgreSQL's CPU when asked.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { stopProcess } from '../../scripts/service-process.js';
import { postgresCpuByPid, postgresCpuSince } from '../lib/postgres-cpu.js';
import { openFilesLimit, peakRssMiB, totalCpuSeconds } from '../lib/process-stats.js';
import { listenOverflows } from '../lib/tcp-stats.js';
import type { ChildMessage, GeneratorConfig, GeneratorReport } from './protocol.js';
import { FANOUT_DIR, type ServerUnderLoad } from './servers.js';

/** The load: everything of the generator's config that is not the server's. */
export type Load = Omit<GeneratorConfig, 'kind' | 'urls' | 'roomIds' | 'tokens'>;

export interface GeneratorHooks {
  /** The connections are ready; sending starts once this resolves. */
  onReady?(): Promise<void> | void;
  /** The report is in and the connections are still open; they close after this returns. */
  onReport?(report: GeneratorReport): void;
}

/** Runs one generator against `server` and returns its report, once the generator has exited. */
export async function runGenerator(server: ServerUnderLoad, load: Load, hooks: GeneratorHooks = {}): Promise<GeneratorReport> {
  const config: GeneratorConfig = { ...load, kind: server.kind, urls: server.urls, roomIds: server.roomIds, tokens: server.tokens };
  const generator = fork(path.join(FANOUT_DIR, 'load-generator.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => generator.once('exit', resolve));
  try {
    generator.send({ type: 'config', config });
    const report = await new Promise<GeneratorReport>((resolve, reject) => {
      generator.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') {
          Promise.resolve(hooks.onReady?.()).then(() => generator.send({ type: 'start' }), reject);
        } else if (message.type === 'report') resolve(message);
        else reject(new Error(`load generator failed: ${message.message}`));
      });
      // A report settles the promise first; an exit without one is a failure.
      generator.once('exit', (code, signal) => reject(new Error(`load generator exited (${signal ?? code}) without a report`)));
    });
    hooks.onReport?.(report);
    generator.send({ type: 'stop' });
    await exited;
    return report;
  } finally {
    await stopProcess(generator);
  }
}

export interface LoadResult {
  report: GeneratorReport;
  /** Server CPU seconds, all instances: while the connections opened (murmur: until each had its history)… */
  connectCpuSeconds: number;
  /** …and from `start` to the report (sending, then draining). */
  loadCpuSeconds: number;
  /** PostgreSQL's CPU seconds from `start` to the report, when a database was named. */
  postgresCpuSeconds?: number;
  /** Peak resident memory, summed over the instances. */
  peakRssMiB: number;
  /** Handshakes the kernel dropped at a full listen queue while connecting (machine-wide). */
  listenOverflows: number;
  /** The lowest soft open-files limit among the server's processes. */
  serverOpenFilesLimit: number;
  /** murmur: messages stored in its rooms, counted in the database after the report. */
  stored?: number;
}

/**
 * Runs `load` against `server`, reading the server's CPU around the connect and load phases.
 * @param postgresDatabase the bench database, to count PostgreSQL's CPU for the load phase.
 */
export async function measureLoad(server: ServerUnderLoad, load: Load, postgresDatabase?: string): Promise<LoadResult> {
  const beforeConnect = totalCpuSeconds(server.pids);
  const overflowsBefore = listenOverflows();
  let overflowsAtReady = overflowsBefore;
  let atReady = beforeConnect;
  let atReport = beforeConnect;
  let postgresAtReady = new Map<number, number>();
  let postgresCpuSeconds: number | undefined;
  let peak = Number.NaN;
  const report = await runGenerator(server, load, {
    onReady: () => {
      atReady = totalCpuSeconds(server.pids);
      overflowsAtReady = listenOverflows();
      if (postgresDatabase) postgresAtReady = postgresCpuByPid(postgresDatabase);
    },
    onReport: () => {
      atReport = totalCpuSeconds(server.pids);
      if (postgresDatabase) postgresCpuSeconds = postgresCpuSince(postgresAtReady, postgresDatabase);
      peak = server.pids.reduce((sum, pid) => sum + peakRssMiB(pid), 0);
    },
  });
  const stored = await server.storedMessages?.();
  return {
    report,
    ...(stored === undefined ? {} : { stored }),
    connectCpuSeconds: atReady - beforeConnect,
    loadCpuSeconds: atReport - atReady,
    ...(postgresCpuSeconds === undefined ? {} : { postgresCpuSeconds }),
    peakRssMiB: peak,
    listenOverflows: overflowsAtReady - overflowsBefore,
    serverOpenFilesLimit: Math.min(...server.pids.map((pid) => openFilesLimit(pid))),
  };
}

/** Runs `load` against a server started for it, and stops the server whatever happens. */
export async function measureOn(start: () => Promise<ServerUnderLoad>, load: Load, postgresDatabase?: string): Promise<LoadResult> {
  const server = await start();
  try {
    return await measureLoad(server, load, postgresDatabase);
  } finally {
    await server.stop();
  }
}
