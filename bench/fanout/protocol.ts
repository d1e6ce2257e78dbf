import type { LatencySummary } from '../lib/stats.js';

/** What the benchmark process and its load-generator processes tell each other over IPC. */

/** Which server the generator talks to; each speaks its own wire format. */
export type ServerKind = 'murmur' | 'ws-loop' | 'socket.io';

export interface GeneratorConfig {
  kind: ServerKind;
  /** ws:// or http:// base of the server. */
  url: string;
  /** murmur only: the room to join and a bearer token per connection (reused round-robin). */
  roomIds?: number[];
  tokens?: string[];
  connections: number;
  /** The first `senders` connections also send. */
  senders: number;
  messagesPerSecondPerSender: number;
  durationMs: number;
  /** Every n-th connection parses what it receives to measure latency; the rest only count. */
  sampleEvery: number;
  /** Connections opened at once while connecting. */
  connectBatch: number;
}

/** The config travels over IPC: a thousand tokens are too long for a command line. */
export type ParentMessage = { type: 'config'; config: GeneratorConfig } | { type: 'start' } | { type: 'stop' };

export interface GeneratorReport {
  type: 'report';
  sent: number;
  deliveries: number;
  /** Send-to-receive latency of the sampled receivers. */
  latency: LatencySummary;
  /** Generator CPU during the send phase, as a share of one core. */
  coreShare: number;
  errors: number;
}

export type ChildMessage = { type: 'ready'; connected: number } | GeneratorReport | { type: 'failed'; message: string };

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const nowMs = () => performance.timeOrigin + performance.now();
