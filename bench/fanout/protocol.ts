import type { LatencySummary } from '../lib/stats.js';

/** What the benchmark process and its load-generator processes tell each other over IPC. */

/** Which server the generator talks to; each speaks its own wire format. */
export type ServerKind = 'murmur' | 'ws-loop' | 'socket.io';

/**
 * How the senders keep time. `independent`: every sender is a client of its own, with its own
 * timer and Poisson gaps from a random phase, so messages reach the server one by one, as real
 * clients' do. `bunched`: one timer per generator process sends every message due at each tick,
 * so they reach the server in bunches that share its writes (kept for comparison only).
 */
export type Schedule = 'independent' | 'bunched';

/** One stretch of load on the open connections: a rate for a while (a rate of 0: idle). */
export interface LoadPhase {
  messagesPerSecondPerSender: number;
  durationMs: number;
  schedule: Schedule;
}

/** The connections, the same for every phase of a run. */
export interface ConnectionsConfig {
  kind: ServerKind;
  /**
   * ws:// or http:// bases of the server's instances. Connection i uses urls[i % urls.length],
   * so with consecutive connections sharing a room, every room has members on every instance.
   */
  urls: string[];
  /**
   * How many rooms: connection i is in room floor(i × rooms / connections), so consecutive
   * connections share a room. murmur: index into `roomIds`; baselines: a room name.
   */
  rooms: number;
  /** murmur only: the rooms' ids and a bearer token per connection (reused round-robin). */
  roomIds?: number[];
  tokens?: string[];
  /** All connections, over every generator process. */
  connections: number;
  /** The first `senders` connections also send. */
  senders: number;
  /** Every n-th connection parses what it receives to measure latency; the rest only count. */
  sampleEvery: number;
  /** Connections opened at once while connecting, over all processes (≥ connections: all at once). */
  connectBatch: number;
  /**
   * murmur only: right after each message it sends, a sender also marks what it has read (a
   * `read` frame with the last seq it received), as a client with its conversation open does.
   */
  readReceipts?: boolean;
}

/** One generator process's share: the connections [first, end) of the run's. */
export interface GeneratorConfig extends ConnectionsConfig {
  first: number;
  end: number;
}

/**
 * The config travels over IPC: ten thousand tokens are too long for a command line. `phase`
 * sends for a while; once every process has sent, `drain` tells each how many messages every
 * room got, so it knows what its connections are still owed; `stop` (after the last phase)
 * closes the connections and ends the generator.
 */
export type ParentMessage =
  | { type: 'config'; config: GeneratorConfig }
  | { type: 'phase'; phase: LoadPhase }
  | { type: 'drain'; sentByRoom: number[] }
  | { type: 'stop' };

/** murmur's `seq` over the `message` events each connection received (contiguous per room). */
export interface OrderCheck {
  /** Events whose seq was read. */
  checked: number;
  /** Events without a seq (a service that does not number messages yet). */
  withoutSeq: number;
  /** seq ≤ the connection's last one: repeated or out of order. */
  outOfOrder: number;
  /** seq > last + 1: messages skipped. */
  gaps: number;
}

/** One process's connections, once open. */
export interface ConnectedReport {
  type: 'ready';
  /** Connections that were ready (murmur: history received; baselines: open). */
  connected: number;
  /** Per connection, from opening it until it was ready. */
  connectLatenciesMs: number[];
  /** From opening the first connection until the last was ready. */
  connectAllMs: number;
  /** This process's CPU while connecting, as a share of one core. */
  connectCoreShare: number;
  errors: number;
  firstError?: string;
  /** The process's soft limit on open files (`ulimit -n`): each connection takes one. */
  openFilesLimit: number;
}

/** What one process sent and received in one phase. */
export interface PhaseReport {
  type: 'phase-report';
  sent: number;
  deliveries: number;
  /** From the phase's start to the first and to the last delivery (0 without any). */
  firstDeliveryMs: number;
  lastDeliveryMs: number;
  /** Send-to-receive latency of the sampled receivers. */
  latenciesMs: number[];
  /** This process's CPU while sending, as a share of one core. */
  coreShare: number;
  /** How late this process's event loop ran while sending, at the 99th percentile: latency the server did not cause. */
  loopDelayP99Ms: number;
  /** Connections lost and error events during the phase. */
  errors: number;
  firstError?: string;
  /** murmur: `read` frames sent (with `readReceipts`). */
  readsSent: number;
  order: OrderCheck;
}

export type ChildMessage = ConnectedReport | { type: 'sent'; sentByRoom: number[] } | PhaseReport | { type: 'failed'; message: string };

/** Every process's reports of a phase as one, as the scenarios read it. */
export interface GeneratorReport {
  /** Connections that were ready (murmur: history received; baselines: open). */
  connected: number;
  sent: number;
  deliveries: number;
  /** From the phase's start to the first and to the last delivery (0 without any). */
  firstDeliveryMs: number;
  lastDeliveryMs: number;
  latency: LatencySummary;
  connectLatency: LatencySummary;
  connectAllMs: number;
  /** Generator CPU while connecting and while sending, as a share of one core, per process. */
  connectCoreShares: number[];
  coreShares: number[];
  /** The latest any process's event loop ran at the 99th percentile while sending. */
  loopDelayP99Ms: number;
  /** Connections that failed or were lost, and error events, so far. */
  errors: number;
  firstError?: string;
  readsSent: number;
  order: OrderCheck;
  /** The lowest soft open-files limit among the generator processes. */
  openFilesLimit: number;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const nowMs = () => performance.timeOrigin + performance.now();
