/**
 * A load-generator process for the WebSocket scenarios: opens the connections (in rooms, spread
 * over the server's instances), reports `ready`, sends at a steady rate on `start`, reports what
 * arrived, and closes everything on `stop`. It runs apart from the server so the server's CPU
 * figures are its own.
 *
 * Receivers count deliveries without parsing, except every `sampleEvery`-th, which parses to
 * measure send-to-receive latency (messages carry their send time as text). murmur receivers
 * also check each `message` event's seq, read with a regex on its line rather than a parse:
 * a full JSON.parse of every frame would make the generator, not the server, the limit.
 */
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import type { ChildMessage, GeneratorConfig, OrderCheck, ParentMessage } from './protocol.js';
import { nowMs } from './protocol.js';
import { openFilesLimit } from '../lib/process-stats.js';
import { summarize } from '../lib/stats.js';

/** How long a connection may take to be ready (murmur: to get its history) before it counts as failed. */
const READY_TIMEOUT_MS = 60_000;
/** The drain ends when no delivery arrived for this long… */
const DRAIN_QUIET_MS = 500;
/** …or at the latest this long after the last send. */
const DRAIN_MAX_MS = 5_000;

const MESSAGE_MARKER = '"type":"message"';
/** An `error` event from murmur (rate limited, not stored, …): the load should never cause one. */
const ERROR_MARKER = '{"type":"error"';
/** The first event a joining murmur client gets. */
const HISTORY_MARKER = '{"type":"history"';
/** The room's newest seq, right after the history event's type (absent before seq existed). */
const HISTORY_LAST_SEQ = /,"lastSeq":(\d+)/y;
const SEQ_FIELD = /"seq":(\d+)/g;

interface Connection {
  send(text: string): void;
  /** murmur: marks the last seq received as read, when it moved since the last mark. */
  markRead?(): void;
  close(): void;
}

let config: GeneratorConfig;
let deliveries = 0;
let firstDeliveryAt = 0;
let lastDeliveryAt = 0;
let sent = 0;
let readsSent = 0;
let errors = 0;
let firstError: string | undefined;
/** Set once the report is out: closes from then on are ours. */
let closing = false;
const latenciesMs: number[] = [];
const connectLatenciesMs: number[] = [];
const order: OrderCheck = { checked: 0, withoutSeq: 0, outOfOrder: 0, gaps: 0 };
/** While draining: the deliveries that complete it, and what to call when they have arrived. */
let drainTarget = Number.POSITIVE_INFINITY;
let onDrained: (() => void) | undefined;

const tell = (message: ChildMessage) => process.send!(message);

function nextMessage<T extends ParentMessage['type']>(type: T): Promise<Extract<ParentMessage, { type: T }>> {
  return new Promise((resolve) => {
    const listener = (message: ParentMessage) => {
      if (message.type !== type) return;
      process.off('message', listener);
      resolve(message as Extract<ParentMessage, { type: T }>);
    };
    process.on('message', listener);
  });
}

function noteError(err: unknown): void {
  errors += 1;
  firstError ??= err instanceof Error ? err.message : String(err);
}

function countDelivery(): void {
  deliveries += 1;
  lastDeliveryAt = performance.now();
  if (deliveries === 1) firstDeliveryAt = lastDeliveryAt;
  if (deliveries >= drainTarget) onDrained?.();
}

const lineEnd = (data: string, from: number) => {
  const end = data.indexOf('\n', from);
  return end === -1 ? data.length : end;
};

/** Latency of one `message` event line, whose text is its send time. */
function sampleLatency(line: string): void {
  latenciesMs.push(nowMs() - Number((JSON.parse(line) as { text: string }).text));
}

/**
 * One murmur connection's view of its room: joined yet, and the last seq it saw. Each message's
 * seq must be the last one + 1; the first is checked against the history's lastSeq when the
 * history carries one, else it only sets the start.
 */
class MurmurReceiver {
  private joined = false;
  /** The newest seq received (history's lastSeq until a message arrives). */
  lastSeq: number | undefined;

  constructor(
    private readonly sampled: boolean,
    private readonly onJoined: () => void,
  ) {}

  /** Handles one frame: newline-separated JSON events. */
  onFrame(data: string): void {
    let from = 0;
    if (!this.joined) {
      const at = data.indexOf(HISTORY_MARKER);
      if (at === -1) return;
      HISTORY_LAST_SEQ.lastIndex = at + HISTORY_MARKER.length;
      const lastSeq = HISTORY_LAST_SEQ.exec(data)?.[1];
      if (lastSeq !== undefined) this.lastSeq = Number(lastSeq);
      this.joined = true;
      this.onJoined();
      from = lineEnd(data, at);
    }
    for (let index = data.indexOf(MESSAGE_MARKER, from); index !== -1; ) {
      const end = lineEnd(data, index);
      countDelivery();
      this.checkSeq(data, index, end);
      if (this.sampled) sampleLatency(data.slice(data.lastIndexOf('\n', index) + 1, end));
      index = data.indexOf(MESSAGE_MARKER, end);
    }
    for (let index = data.indexOf(ERROR_MARKER, from); index !== -1; index = data.indexOf(ERROR_MARKER, index + 1)) {
      noteError(new Error(`error event: ${data.slice(index, lineEnd(data, index))}`));
    }
  }

  private checkSeq(data: string, from: number, end: number): void {
    SEQ_FIELD.lastIndex = from;
    const match = SEQ_FIELD.exec(data);
    if (!match || match.index >= end) {
      order.withoutSeq += 1;
      return;
    }
    const seq = Number(match[1]);
    order.checked += 1;
    if (this.lastSeq !== undefined) {
      if (seq <= this.lastSeq) order.outOfOrder += 1;
      else if (seq > this.lastSeq + 1) order.gaps += 1;
    }
    if (this.lastSeq === undefined || seq > this.lastSeq) this.lastSeq = seq;
  }
}

function onPlainMessage(text: string, sampled: boolean): void {
  countDelivery();
  if (sampled) latenciesMs.push(nowMs() - Number(text));
}

/**
 * Opens a WebSocket. A murmur connection is ready once its history arrived (it is then in the
 * room), a bare one once open.
 */
function openWs(url: string, headers: Record<string, string>, sampled: boolean, murmur: boolean): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    let markedSeq = 0;
    const connection: Connection = {
      send: (text) => socket.send(murmur ? JSON.stringify({ type: 'message', text }) : text),
      markRead: () => {
        const seq = receiver?.lastSeq ?? 0;
        if (seq <= markedSeq) return;
        markedSeq = seq;
        socket.send(`{"type":"read","seq":${seq}}`);
        readsSent += 1;
      },
      close: () => socket.terminate(),
    };
    let ready = false;
    let lost = false;
    /** Before ready, the connection failed; after, it was lost (counted once, however it ends). */
    const fail = (err: Error) => {
      clearTimeout(timer);
      if (!ready) reject(err);
      else if (!lost) {
        lost = true;
        noteError(err);
      }
    };
    const timer = setTimeout(() => {
      socket.terminate();
      fail(new Error(`not ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    const becomeReady = () => {
      clearTimeout(timer);
      ready = true;
      resolve(connection);
    };
    const receiver = murmur ? new MurmurReceiver(sampled, becomeReady) : undefined;
    socket.on('message', (data: Buffer) => {
      if (receiver) receiver.onFrame(data.toString());
      else onPlainMessage(data.toString(), sampled);
    });
    socket.once('open', () => {
      if (!receiver) becomeReady();
    });
    socket.once('unexpected-response', (req, res) => {
      req.destroy();
      fail(new Error(`upgrade refused: ${res.statusCode}`));
    });
    socket.on('error', fail);
    socket.once('close', (code, reason) => {
      if (!closing) fail(new Error(`closed by the server: ${code} ${reason.toString()}`));
    });
  });
}

function openSocketIo(url: string, room: string, sampled: boolean): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { room } });
    socket.on('message', (text: string) => onPlainMessage(text, sampled));
    socket.once('connect', () => {
      socket.once('disconnect', (reason) => closing || noteError(new Error(`disconnected: ${reason}`)));
      resolve({ send: (text) => socket.emit('message', text), close: () => socket.close() });
    });
    socket.once('connect_error', reject);
  });
}

/** Connection i's room: consecutive connections share one. */
const roomIndex = (i: number) => Math.floor((i * config.rooms) / config.connections);

function open(i: number): Promise<Connection> {
  const sampled = i % config.sampleEvery === 0;
  const url = config.urls[i % config.urls.length]!;
  const room = roomIndex(i);
  if (config.kind === 'socket.io') return openSocketIo(url, `r${room}`, sampled);
  if (config.kind === 'ws-loop') return openWs(`${url}/r${room}`, {}, sampled, false);
  const token = config.tokens![i % config.tokens!.length]!;
  return openWs(`${url}/ws/joinRoom/${config.roomIds![room]}`, { authorization: `Bearer ${token}` }, sampled, true);
}

/** Opens every connection, `connectBatch` at a time; failures are counted, not thrown. */
async function connectAll(): Promise<{ connections: Array<Connection | undefined>; connectAllMs: number; connectCoreShare: number }> {
  const connections = new Array<Connection | undefined>(config.connections);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let start = 0; start < config.connections; start += config.connectBatch) {
    const batch: Array<Promise<void>> = [];
    for (let i = start; i < Math.min(config.connections, start + config.connectBatch); i += 1) {
      const openedAt = performance.now();
      batch.push(
        open(i).then((connection) => {
          connectLatenciesMs.push(performance.now() - openedAt);
          connections[i] = connection;
        }, noteError),
      );
    }
    await Promise.all(batch);
  }
  const connectAllMs = performance.now() - started;
  return { connections, connectAllMs, connectCoreShare: coreShareSince(cpuBefore, connectAllMs) };
}

/**
 * The senders take turns: send n goes to sender n mod senders at start + n × gap, so each sends
 * at its rate, spread evenly. One timer serves them all, and every send is due at an absolute
 * time, so timer drift never lowers the rate.
 */
function sendFor(connections: Array<Connection | undefined>): Promise<void> {
  const senders = Math.min(config.senders, connections.length);
  const total = Math.round((config.durationMs / 1000) * config.messagesPerSecondPerSender) * senders;
  const gapMs = 1000 / config.messagesPerSecondPerSender / senders;
  const startedAt = performance.now();
  let n = 0;
  return new Promise((resolve) => {
    const tick = () => {
      for (const now = performance.now(); n < total && startedAt + n * gapMs <= now; n += 1) {
        const connection = connections[n % senders];
        if (!connection) continue;
        connection.send(String(nowMs()));
        sent += 1;
        if (config.readReceipts) connection.markRead?.();
      }
      if (n >= total) resolve();
      else setTimeout(tick, Math.max(0, startedAt + n * gapMs - performance.now()));
    };
    tick();
  });
}

/** The CPU this process used since `before`, as a share of one core over `elapsedMs`. */
function coreShareSince(before: NodeJS.CpuUsage, elapsedMs: number): number {
  const cpu = process.cpuUsage(before);
  return elapsedMs > 0 ? (cpu.user + cpu.system) / 1000 / elapsedMs : 0;
}

/** Waits until `expected` deliveries arrived, or none arrived for a while (or a bound passed). */
function drain(expected: number): Promise<void> {
  if (deliveries >= expected) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = deliveries;
    const quiet = setInterval(() => {
      if (deliveries === seen) done();
      seen = deliveries;
    }, DRAIN_QUIET_MS);
    const bound = setTimeout(() => done(), DRAIN_MAX_MS);
    const done = () => {
      clearInterval(quiet);
      clearTimeout(bound);
      drainTarget = Number.POSITIVE_INFINITY;
      onDrained = undefined;
      resolve();
    };
    drainTarget = expected;
    onDrained = done;
  });
}

async function main(): Promise<void> {
  // Without the benchmark process, nobody would ever close these connections.
  process.on('disconnect', () => process.exit(0));
  config = (await nextMessage('config')).config;
  const { connections, connectAllMs, connectCoreShare } = await connectAll();
  const connected = connections.filter(Boolean).length;
  if (connected === 0) throw new Error(`no connection succeeded: ${firstError ?? 'unknown error'}`);
  const started = nextMessage('start');
  tell({ type: 'ready', connected });
  await started;
  deliveries = 0;
  latenciesMs.length = 0;
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const sending = config.senders > 0 && config.durationMs > 0;
  if (sending) await sendFor(connections);
  const coreShare = sending ? coreShareSince(cpuBefore, performance.now() - startedAt) : 0;
  await drain(sent * (config.connections / config.rooms));
  const stopped = nextMessage('stop');
  tell({
    type: 'report',
    connected,
    sent,
    deliveries,
    firstDeliveryMs: deliveries > 0 ? firstDeliveryAt - startedAt : 0,
    lastDeliveryMs: deliveries > 0 ? lastDeliveryAt - startedAt : 0,
    latency: summarize(latenciesMs),
    connectLatency: summarize(connectLatenciesMs),
    connectAllMs,
    connectCoreShare,
    coreShare,
    errors,
    readsSent,
    ...(firstError === undefined ? {} : { firstError }),
    order,
    openFilesLimit: openFilesLimit('self'),
  });
  await stopped;
  closing = true;
  for (const connection of connections) connection?.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  // Exit only once the failure is handed over: process.send is asynchronous.
  process.send!({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies ChildMessage, () => process.exit(1));
});
