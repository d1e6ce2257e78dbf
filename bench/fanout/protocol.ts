import type { LatencySummary } from '../lib/stats.js';

/** What the benchmark process and its load-generator processes tell each other over IPC. */

/** Which server the generator talks to; each speaks its own wire format. */
export type ServerKind = 'murmur' | 'ws-loop' | 'socket.io';

export interface GeneratorConfig {
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
  connections: number;
  /** The first `senders` connections also send. */
  senders: number;
  messagesPerSecondPerSender: number;
  durationMs: number;
  /** Every n-th connection parses what it receives to measure latency; the rest only count. */
  sampleEvery: number;
  /** Connections opened at once while connecting (≥ connections: all at once). */
  connectBatch: number;
  /**
   * murmur only: right after each message it sends, a sender also marks what it has read (a
   * `read` frame with the last seq it received), as a client with its conversation open does.
   */
  readReceipts?: boolean;
}

/**
 * The config travels over IPC: ten thousand tokens are too long for a command line. `start`
 * starts sending; `stop` (after the report) closes the connections and ends the generator.
 */
export type ParentMessage = { type: 'config'; config: GeneratorConfig } | { type: 'start' } | { type: 'stop' };

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

export interface GeneratorReport {
  type: 'report';
  /** Connections that were ready (murmur: history received; baselines: open). */
  connected: number;
  sent: number;
  deliveries: number;
  /** From `start` to the first and to the last delivery (0 without any). */
  firstDeliveryMs: number;
  lastDeliveryMs: number;
  /** Send-to-receive latency of the sampled receivers. */
  latency: LatencySummary;
  /** Per connection, from opening it until it was ready. */
  connectLatency: LatencySummary;
  /** From opening the first connection until the last was ready. */
  connectAllMs: number;
  /** Generator CPU while connecting, as a share of one core. */
  connectCoreShare: number;
  /** Generator CPU during the send phase, as a share of one core. */
  coreShare: number;
  errors: number;
  /** murmur: `read` frames sent (with `readReceipts`). */
  readsSent: number;
  /** The first connection error, to name the cause in the report. */
  firstError?: string;
  order: OrderCheck;
  /** The generator's soft limit on open files (`ulimit -n`): each connection takes one. */
  openFilesLimit: number;
}

export type ChildMessage = { type: 'ready'; connected: number } | GeneratorReport | { type: 'failed'; message: string };

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const nowMs = () => performance.timeOrigin + performance.now();
