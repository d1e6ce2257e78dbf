/**
 * The benchmark's side of the picture scenarios' load processes: forks one process per load,
 * starts them together once all are ready, and merges what they report.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcess } from '../../scripts/service-process.js';
import { replyOf } from '../lib/child-reply.js';
import { summarize, type LatencySummary } from '../lib/stats.js';
import type { FloorMessage, FloorReport } from './image-floor.js';
import type { ChildMessage, LoadConfig, LoadReport, ParentMessage } from './protocol.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LOAD_PROCESS = path.join(HERE, 'load-process.js');
const FLOOR_PROCESS = path.join(HERE, 'floor-process.js');

export interface MergedReport {
  latency: LatencySummary;
  /** Successful requests per second over the window, every process together. */
  perSecond: number;
  completedInWindow: number;
  /** Successful requests, those finished after the window included. */
  succeeded: number;
  busy: number;
  errors: number;
  firstError?: string;
  bytes: number;
  /** Each process's CPU as a share of one core. */
  coreShares: number[];
  /** The latest any process's event loop ran, p99, ms. */
  loopDelayP99Ms: number;
}

export function mergeReports(reports: readonly LoadReport[]): MergedReport {
  const completedInWindow = reports.reduce((sum, r) => sum + r.completedInWindow, 0);
  const firstError = reports.find((r) => r.firstError !== undefined)?.firstError;
  return {
    latency: summarize(reports.flatMap((r) => r.latenciesMs)),
    perSecond: (completedInWindow * 1000) / Math.max(...reports.map((r) => r.elapsedMs)),
    completedInWindow,
    succeeded: reports.reduce((sum, r) => sum + r.latenciesMs.length, 0),
    busy: reports.reduce((sum, r) => sum + r.busy, 0),
    errors: reports.reduce((sum, r) => sum + r.errors, 0),
    ...(firstError === undefined ? {} : { firstError }),
    bytes: reports.reduce((sum, r) => sum + r.bytes, 0),
    coreShares: reports.map((r) => r.coreShare),
    loopDelayP99Ms: Math.max(0, ...reports.map((r) => r.loopDelayP99Ms)),
  };
}

/** A note on what the load processes used, so a reader can tell whether they were the limit. */
export function generatorNote(what: string, report: Pick<MergedReport, 'coreShares' | 'loopDelayP99Ms'>): string {
  const shares = report.coreShares.map((s) => `${Math.round(s * 100)}%`).join(', ');
  return `${what}: ${report.coreShares.length} process${report.coreShares.length === 1 ? '' : 'es'} at ${shares} of a core, event loop late by ${report.loopDelayP99Ms.toFixed(1)} ms at p99`;
}

/**
 * Runs `loads`, one process each, started together; `onStart` runs just before they are told
 * to start. Resolves each load's report, in order.
 */
export async function runLoads(loads: readonly LoadConfig[], onStart?: () => void): Promise<LoadReport[]> {
  const children = loads.map(() => fork(LOAD_PROCESS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const send = (child: (typeof children)[number], message: ParentMessage) => child.send(message);
  try {
    const ready = Promise.all(children.map((child) => replyOf<ChildMessage, 'ready'>(child, 'ready', 'picture load process')));
    children.forEach((child, k) => send(child, { type: 'config', config: loads[k]! }));
    await ready;
    const reports = Promise.all(children.map((child) => replyOf<ChildMessage, 'report'>(child, 'report', 'picture load process')));
    onStart?.();
    for (const child of children) send(child, { type: 'start' });
    return await reports;
  } finally {
    await Promise.all(children.map((child) => stopProcess(child)));
  }
}

/** The image floor on the picture in `file`, `pictures` of them `concurrent` at a time, in a process of its own. */
export async function runImageFloor(file: string, pictures: number, concurrent: number): Promise<FloorReport> {
  const child = fork(FLOOR_PROCESS, [file, String(pictures), String(concurrent)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    return await replyOf<FloorMessage, 'floor'>(child, 'floor', 'image floor process');
  } finally {
    await stopProcess(child);
  }
}
