/**
 * Figures and report rows of a WebSocket load run, the same for every scenario that sends
 * (one-room fan-out, many rooms, two instances), so their rows read alike and compare.
 */
import type { ResultRow } from '../lib/report.js';
import { percentile } from '../lib/stats.js';
import { listenBacklogCap } from '../lib/tcp-stats.js';
import type { LoadResult } from './generator-run.js';
import type { OrderCheck } from './protocol.js';

/** File descriptors a process needs besides its sockets (database pool, Redis, logs, …). */
const OPEN_FILES_HEADROOM = 200;

export interface LoadShape {
  connections: number;
  rooms: number;
  durationMs: number;
}

export interface LoadFigures {
  /** Every message sent, to every member of its room. */
  expectedDeliveries: number;
  /** The send phase, or the deliveries' span when longer (the server fell behind): rates are over it. */
  spanMs: number;
  deliveredShare: number;
  deliveriesPerSecond: number;
  /** murmur: messages stored (counted in the database); baselines: messages sent. */
  messages: number;
  messagesPerSecond: number;
  cpuPerMessageUs: number;
  cpuPerDeliveryUs: number;
  /** murmur: PostgreSQL's CPU per stored message. */
  postgresPerMessageUs?: number;
  /** Given an idle phase: the CPU per message above what the same connections cost idle. */
  cpuAboveIdlePerMessageUs?: number;
  postgresAboveIdlePerMessageUs?: number;
}

/** What a server (and PostgreSQL) spent per second with the same connections open and nobody sending. */
export interface IdleCost {
  cpuPerSecond: number;
  postgresPerSecond?: number;
}

export const idleCostOf = (idle: LoadResult): IdleCost => ({
  cpuPerSecond: idle.loadCpuSeconds / idle.loadSeconds,
  ...(idle.postgresCpuSeconds === undefined ? {} : { postgresPerSecond: idle.postgresCpuSeconds / idle.loadSeconds }),
});

export function loadFigures(result: LoadResult, shape: LoadShape, idle?: IdleCost): LoadFigures {
  const { report } = result;
  // Deliveries trail the sends by the latency; a server that keeps up delivers over a span as
  // long as the send phase, one that falls behind over a longer one, and its rate is lower.
  const spanMs = Math.max(shape.durationMs, report.lastDeliveryMs - report.firstDeliveryMs);
  const seconds = spanMs / 1000;
  const expectedDeliveries = report.sent * (shape.connections / shape.rooms);
  const messages = result.stored ?? report.sent;
  return {
    expectedDeliveries,
    spanMs,
    deliveredShare: report.deliveries / Math.max(1, expectedDeliveries),
    deliveriesPerSecond: report.deliveries / seconds,
    messages,
    messagesPerSecond: messages / seconds,
    cpuPerMessageUs: (result.loadCpuSeconds / Math.max(1, messages)) * 1e6,
    cpuPerDeliveryUs: (result.loadCpuSeconds / Math.max(1, report.deliveries)) * 1e6,
    ...(result.postgresCpuSeconds === undefined ? {} : { postgresPerMessageUs: (result.postgresCpuSeconds / Math.max(1, messages)) * 1e6 }),
    ...(idle ? { cpuAboveIdlePerMessageUs: ((result.loadCpuSeconds - idle.cpuPerSecond * result.loadSeconds) / Math.max(1, messages)) * 1e6 } : {}),
    ...(idle?.postgresPerSecond !== undefined && result.postgresCpuSeconds !== undefined
      ? { postgresAboveIdlePerMessageUs: ((result.postgresCpuSeconds - idle.postgresPerSecond * result.loadSeconds) / Math.max(1, messages)) * 1e6 }
      : {}),
  };
}

/** How the stored messages were batched: INSERTs, their sizes, and how many messages went alone. */
export function batchNote(batchSizes: readonly number[]): string {
  if (batchSizes.length === 0) return 'no message stored';
  const sorted = [...batchSizes].sort((a, b) => a - b);
  const messages = sorted.reduce((sum, n) => sum + n, 0);
  const alone = sorted.filter((n) => n === 1).length;
  return (
    `stored by ${count(sorted.length)} INSERTs: ${(messages / sorted.length).toFixed(1)} messages each on average, ` +
    `p50 ${percentile(sorted, 50)}, p99 ${percentile(sorted, 99)}, largest ${sorted.at(-1)}; ${((alone / messages) * 100).toFixed(0)}% of messages alone in theirs`
  );
}

/** The generator processes' CPU and how late their event loops ran: a busy generator measures itself. */
export function generatorsNote(coreShares: readonly number[], loopDelayP99Ms?: number): string[] {
  const percent = (share: number) => Math.round(share * 100);
  const busiest = Math.max(...coreShares);
  const total = coreShares.reduce((sum, share) => sum + share, 0);
  const each = coreShares.length === 1 ? `${percent(busiest)}% of a core` : `${coreShares.length} processes at ${percent(Math.min(...coreShares))}–${percent(busiest)}% of a core each (${percent(total)}% in all)`;
  const loop = loopDelayP99Ms === undefined ? '' : `, event loops late by at most ${loopDelayP99Ms.toFixed(1)} ms at p99`;
  const limit = busiest > 0.9 ? ' — a generator was near a full core: it, not the server, may have been the limit' : '';
  return [`load generator: ${each}${loop}${limit}`];
}

const count = (n: number) => Math.round(n).toLocaleString('en');

/**
 * murmur's promise that each room's messages arrive numbered 1, 2, 3, … on every connection.
 * A service whose events carry no seq yet is not failed for it: the check is skipped, and said so.
 */
export function orderVerdict(order: OrderCheck): { ok: boolean; note: string } {
  if (order.checked === 0) {
    return order.withoutSeq === 0
      ? { ok: true, note: 'seq order: no message events to check' }
      : { ok: true, note: `seq order NOT checked: the ${count(order.withoutSeq)} message events carry no seq (this ws-service does not number them yet)` };
  }
  const ok = order.outOfOrder === 0 && order.gaps === 0 && order.withoutSeq === 0;
  const without = order.withoutSeq ? `, ${count(order.withoutSeq)} without seq` : '';
  return { ok, note: `seq order on every connection: ${count(order.checked)} message events checked, ${count(order.outOfOrder)} out of order or repeated, ${count(order.gaps)} gaps${without}` };
}

/**
 * The open-files limits (`ulimit -n`) against what the sockets need: one per connection in the
 * generator, one per connection in the instance serving it. Noted when too low, or always.
 */
export function openFilesNotes(result: LoadResult, connections: number, instances: number, always = false): string[] {
  const generatorNeeds = connections + OPEN_FILES_HEADROOM;
  const serverNeeds = Math.ceil(connections / instances) + OPEN_FILES_HEADROOM;
  const low = result.report.openFilesLimit < generatorNeeds || result.serverOpenFilesLimit < serverNeeds;
  if (!low && !always) return [];
  return [
    `open files (ulimit -n, soft): generator ${result.report.openFilesLimit}, server ${result.serverOpenFilesLimit}; ` +
      `needed about ${count(generatorNeeds)} and ${count(serverNeeds)}${low ? ' — TOO LOW: connections may fail with EMFILE' : ''}`,
  ];
}

/** Connection handshakes the kernel dropped at a full listen queue, if any: clients retried them after ≥ 1 s. */
export function listenOverflowNotes(result: LoadResult): string[] {
  if (result.listenOverflows <= 0) return [];
  return [
    `the kernel dropped ${count(result.listenOverflows)} connection handshakes at a full listen queue (no backlog exceeds ` +
      `net.core.somaxconn, ${listenBacklogCap()} here); each such client retried after 1 s or more`,
  ];
}

export function errorNotes(result: LoadResult): string[] {
  const { errors, firstError } = result.report;
  return errors ? [`${count(errors)} connections failed or were lost${firstError ? ` (first: ${firstError})` : ''}`] : [];
}

/**
 * The figures of a load run and its row, with the notes every load run reports; murmur rows add
 * PostgreSQL's CPU and the seq check.
 */
export function loadRow(result: LoadResult, shape: LoadShape, label: { scenario: string; subject: string }, idle?: IdleCost): { row: ResultRow; figures: LoadFigures } {
  const figures = loadFigures(result, shape, idle);
  const { report } = result;
  const murmur = result.stored !== undefined;
  const notes = [
    murmur
      ? `${count(figures.messagesPerSecond)} messages stored/s (${count(figures.messages)} stored of ${count(report.sent)} sent)`
      : `${count(figures.messagesPerSecond)} messages/s sent (nothing stored)`,
    `${count(report.deliveries)} of ${count(figures.expectedDeliveries)} deliveries (${(figures.deliveredShare * 100).toFixed(1)}%), ` +
      `the last ${count(Math.max(0, report.lastDeliveryMs - shape.durationMs))} ms after sending ended; rates are over ${(figures.spanMs / 1000).toFixed(1)} s`,
    `server CPU: ${figures.cpuPerMessageUs.toFixed(1)} µs per message, ${figures.cpuPerDeliveryUs.toFixed(2)} µs per delivery` +
      (figures.cpuAboveIdlePerMessageUs === undefined ? '' : `; ${figures.cpuAboveIdlePerMessageUs.toFixed(1)} µs per message above idle (${((idle!.cpuPerSecond) * 100).toFixed(1)}% of a core idle)`),
  ];
  if (figures.postgresPerMessageUs !== undefined) {
    const aboveIdle = figures.postgresAboveIdlePerMessageUs;
    notes.push(
      `PostgreSQL CPU: ${figures.postgresPerMessageUs.toFixed(1)} µs per stored message (${result.postgresCpuSeconds!.toFixed(2)} s over all its processes, less other databases' backends)` +
        (aboveIdle === undefined ? '' : `; ${aboveIdle.toFixed(1)} µs above idle (${(idle!.postgresPerSecond! * 100).toFixed(1)}% of a core idle)`),
    );
  }
  if (result.batchSizes) notes.push(batchNote(result.batchSizes));
  if (murmur) notes.push(orderVerdict(report.order).note);
  notes.push(...generatorsNote(report.coreShares, report.loopDelayP99Ms), ...errorNotes(result), ...listenOverflowNotes(result));
  const row: ResultRow = {
    ...label,
    throughputPerSecond: figures.deliveriesPerSecond,
    unit: 'deliveries/s',
    p50Ms: report.latency.p50Ms,
    p99Ms: report.latency.p99Ms,
    cpuSeconds: result.loadCpuSeconds,
    peakRssMiB: result.peakRssMiB,
    notes,
  };
  return { row, figures };
}
