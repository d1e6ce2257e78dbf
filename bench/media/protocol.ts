/**
 * What the picture scenarios' load processes (load-process.ts) are told and answer, over IPC:
 * config → ready → start → report. Each process is one load: uploaders, a probe of light
 * requests at Poisson arrivals, or keep-alive readers of one file.
 */

/** Clients each uploading one picture in a loop, one upload at a time, each with its own account. */
export interface UploadLoad {
  kind: 'upload';
  /** `POST` target, e.g. http://127.0.0.1:1234/media. */
  url: string;
  /** One token per client. */
  tokens: string[];
  /** The picture, read once from this file. */
  file: string;
  durationMs: number;
  /**
   * A client refused with 503 waits what `Retry-After` says, times this (1: as a client that
   * honours it; capped at what is left of the run).
   */
  retryAfterScale: number;
}

/** Light requests at Poisson arrivals of `perSecond` in all, from `clients` each with its own timer, never waiting for answers. */
export interface ProbeLoad {
  kind: 'probe';
  /** Taken in turn by each client. */
  urls: string[];
  token: string;
  perSecond: number;
  clients: number;
  durationMs: number;
}

/** `connections` keep-alive connections each reading `url` back to back (a closed loop). */
export interface ReadLoad {
  kind: 'read';
  url: string;
  connections: number;
  /** Read first and not counted: connections opened, the JIT warm. */
  warmupMs: number;
  durationMs: number;
  /** The file's size: an answer of another length is an error. */
  expectedBytes: number;
}

export type LoadConfig = UploadLoad | ProbeLoad | ReadLoad;

export interface LoadReport {
  type: 'report';
  /** Latency of every successful request, in ms. */
  latenciesMs: number[];
  /**
   * Successful requests counted in the rate: those that ended within the run's duration; for
   * uploads, every one, those under way at the end included.
   */
  completedInWindow: number;
  /** What the rate is over, ms: the run's duration; for uploads, until the last one ended. */
  elapsedMs: number;
  /** Answers 503 (uploads: `MEDIA_BUSY`). */
  busy: number;
  /** Other failures: another status, a refused or reset connection. */
  errors: number;
  firstError?: string;
  /** Bytes of the bodies read. */
  bytes: number;
  /** CPU this process used over the run, as a share of one core. */
  coreShare: number;
  /** How late this process's event loop ran, p99, ms. */
  loopDelayP99Ms: number;
}

export type ParentMessage = { type: 'config'; config: LoadConfig } | { type: 'start' };
export type ChildMessage = { type: 'ready' } | LoadReport | { type: 'failed'; message: string };
