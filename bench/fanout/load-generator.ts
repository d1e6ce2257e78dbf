/**
 * A load-generator process for the WebSocket scenarios: opens its share of the connections (in
 * rooms, spread over the server's instances), reports `ready`, then plays each phase it is told
 * to: sends at the phase's rate (every sender its own Poisson timer, or one timer for all when
 * bunched), reports what it sent per room, waits for what its connections are owed, and reports
 * what arrived. It runs apart from the server so the server's CPU figures are its own, and
 * several run side by side so no one event loop is the limit.
 *
 * Receivers count deliveries without parsing, except every `sampleEvery`-th, which parses to
 * measure send-to-receive latency (messages carry their send time as text). murmur receivers
 * also check each `message` event's seq, read with a regex on its line rather than a parse:
 * a full JSON.parse of every frame would make the generator, not the server, the limit.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import type { ChildMessage, GeneratorConfig, LoadPhase, OrderCheck, ParentMessage, PhaseReport } from './protocol.js';
import { nowMs } from './protocol.js';
import { coreShareSince, sendPoisson } from '../lib/client-timers.js';
import { openFilesLimit } from '../lib/process-stats.js';

/** How long a connection may take to be ready (murmur: to get its history) before it counts as failed. */
const READY_TIMEOUT_MS = 60_000;
/** The drain ends when no delivery arrived for this long… */
const DRAIN_QUIET_MS = 500;
/** …or at the latest this long after the last send. */
const DRAIN_MAX_MS = 5_000;
/** Sampling interval of the event-loop delay while sending. */
const LOOP_DELAY_RESOLUTION_MS = 10;

const MESSAGE_MARKER = '"type":"message"';
/** An `error` event from murmur (rate limited, not stored, …): the load should never cause one. */
const ERROR_MARKER = '{"type":"error"';
/** The first event a joining murmur client gets. */
const HISTORY_MARKER = '{"type":"history"';
/** The room's newest seq, right after the history event's type (absent before seq existed). */
const HISTORY_LAST_SEQ = /,"lastSeq":(\d+)/y;
const SEQ_FIELD = /"seq":(\d+)/g;

interface Connection {
  /** The run's room index of this connection. */
  room: number;
  send(text: string): void;
  /** murmur: marks the last seq received as read, when it moved since the last mark. */
  markRead?(): void;
  close(): void;
}

/** What arrived during one phase (or while connecting), counted as it comes. */
class Tally {
  sent = 0;
  readsSent = 0;
  deliveries = 0;
  firstDeliveryAt = 0;
  lastDeliveryAt = 0;
  errors = 0;
  firstError: string | undefined;
  readonly latenciesMs: number[] = [];
  readonly order: OrderCheck = { checked: 0, withoutSeq: 0, outOfOrder: 0, gaps: 0 };
  /** While draining: the deliveries that complete it, and what to call when they have arrived. */
  drainTarget = Number.POSITIVE_INFINITY;
  onDrained: (() => void) | undefined;

  error(err: unknown): void {
    this.errors += 1;
    this.firstError ??= err instanceof Error ? err.message : String(err);
  }

  delivery(): void {
    this.deliveries += 1;
    this.lastDeliveryAt = performance.now();
    if (this.deliveries === 1) this.firstDeliveryAt = this.lastDeliveryAt;
    if (this.deliveries >= this.drainTarget) this.onDrained?.();
  }
}

let config: GeneratorConfig;
/** The current phase's tally; connecting has one of its own. */
let tally = new Tally();
/** Set once the last phase is over: closes from then on are ours. */
let closing = false;

const tell = (message: ChildMessage) => process.send!(message);

function nextMessage<T extends ParentMessage['type']>(...types: T[]): Promise<Extract<ParentMessage, { type: T }>> {
  return new Promise((resolve) => {
    const listener = (message: ParentMessage) => {
      if (!(types as string[]).includes(message.type)) return;
      process.off('message', listener);
      resolve(message as Extract<ParentMessage, { type: T }>);
    };
    process.on('message', listener);
  });
}

const lineEnd = (data: string, from: number) => {
  const end = data.indexOf('\n', from);
  return end === -1 ? data.length : end;
};

/** Latency of one `message` event line, whose text is its send time. */
function sampleLatency(line: string): void {
  tally.latenciesMs.push(nowMs() - Number((JSON.parse(line) as { text: string }).text));
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
      tally.delivery();
      this.checkSeq(data, index, end);
      if (this.sampled) sampleLatency(data.slice(data.lastIndexOf('\n', index) + 1, end));
      index = data.indexOf(MESSAGE_MARKER, end);
    }
    for (let index = data.indexOf(ERROR_MARKER, from); index !== -1; index = data.indexOf(ERROR_MARKER, index + 1)) {
      tally.error(new Error(`error event: ${data.slice(index, lineEnd(data, index))}`));
    }
  }

  private checkSeq(data: string, from: number, end: number): void {
    const { order } = tally;
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
  tally.delivery();
  if (sampled) tally.latenciesMs.push(nowMs() - Number(text));
}

/**
 * Opens a WebSocket. A murmur connection is ready once its history arrived (it is then in the
 * room), a bare one once open.
 */
function openWs(room: number, url: string, headers: Record<string, string>, sampled: boolean, murmur: boolean): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    let markedSeq = 0;
    const connection: Connection = {
      room,
      send: (text) => socket.send(murmur ? JSON.stringify({ type: 'message', text }) : text),
      markRead: () => {
        const seq = receiver?.lastSeq ?? 0;
        if (seq <= markedSeq) return;
        markedSeq = seq;
        socket.send(`{"type":"read","seq":${seq}}`);
        tally.readsSent += 1;
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
        tally.error(err);
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

function openSocketIo(room: number, url: string, sampled: boolean): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { room: `r${room}` } });
    socket.on('message', (text: string) => onPlainMessage(text, sampled));
    socket.once('connect', () => {
      socket.once('disconnect', (reason) => closing || tally.error(new Error(`disconnected: ${reason}`)));
      resolve({ room, send: (text) => socket.emit('message', text), close: () => socket.close() });
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
  if (config.kind === 'socket.io') return openSocketIo(room, url, sampled);
  if (config.kind === 'ws-loop') return openWs(room, `${url}/r${room}`, {}, sampled, false);
  const token = config.tokens![i % config.tokens!.length]!;
  return openWs(room, `${url}/ws/joinRoom/${config.roomIds![room]}`, { authorization: `Bearer ${token}` }, sampled, true);
}

/**
 * Opens this process's connections, `batch` at a time; failures are counted, not thrown.
 * Entry k is connection `config.first + k`.
 */
async function connectAll(batch: number): Promise<Array<Connection | undefined>> {
  const count = config.end - config.first;
  const connections = new Array<Connection | undefined>(count);
  const connectLatenciesMs: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let start = 0; start < count; start += batch) {
    const round: Array<Promise<void>> = [];
    for (let k = start; k < Math.min(count, start + batch); k += 1) {
      const openedAt = performance.now();
      round.push(
        open(config.first + k).then(
          (connection) => {
            connectLatenciesMs.push(performance.now() - openedAt);
            connections[k] = connection;
          },
          (err: unknown) => tally.error(err),
        ),
      );
    }
    await Promise.all(round);
  }
  const connectAllMs = performance.now() - started;
  tell({
    type: 'ready',
    connected: connections.filter(Boolean).length,
    connectLatenciesMs,
    connectAllMs,
    connectCoreShare: coreShareSince(cpuBefore, connectAllMs),
    errors: tally.errors,
    ...(tally.firstError === undefined ? {} : { firstError: tally.firstError }),
    openFilesLimit: openFilesLimit('self'),
  });
  return connections;
}

function sendOne(connection: Connection, sentByRoom: number[]): void {
  connection.send(String(nowMs()));
  tally.sent += 1;
  sentByRoom[connection.room]! += 1;
  if (config.readReceipts) connection.markRead?.();
}

/**
 * The bunched schedule: the senders take turns, send n going to sender n mod senders at
 * start + n × gap, from one timer that sends every send due at each tick. Every send is due at
 * an absolute time, so timer drift never lowers the rate.
 */
function sendBunched(senders: Array<Connection | undefined>, phase: LoadPhase, sentByRoom: number[]): Promise<void> {
  const total = Math.round((phase.durationMs / 1000) * phase.messagesPerSecondPerSender) * senders.length;
  const gapMs = 1000 / phase.messagesPerSecondPerSender / senders.length;
  const startedAt = performance.now();
  let n = 0;
  return new Promise((resolve) => {
    const tick = () => {
      for (const now = performance.now(); n < total && startedAt + n * gapMs <= now; n += 1) {
        const connection = senders[n % senders.length];
        if (connection) sendOne(connection, sentByRoom);
      }
      if (n >= total) resolve();
      else setTimeout(tick, Math.max(0, startedAt + n * gapMs - performance.now()));
    };
    tick();
  });
}

/** Waits until `expected` deliveries arrived, or none arrived for a while (or a bound passed). */
function drain(expected: number): Promise<void> {
  if (tally.deliveries >= expected) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = tally.deliveries;
    const quiet = setInterval(() => {
      if (tally.deliveries === seen) done();
      seen = tally.deliveries;
    }, DRAIN_QUIET_MS);
    const bound = setTimeout(() => done(), DRAIN_MAX_MS);
    const done = () => {
      clearInterval(quiet);
      clearTimeout(bound);
      tally.drainTarget = Number.POSITIVE_INFINITY;
      tally.onDrained = undefined;
      resolve();
    };
    tally.drainTarget = expected;
    tally.onDrained = done;
  });
}

/** Sends for one phase, tells the benchmark what went to each room, drains what is owed and reports. */
async function play(connections: Array<Connection | undefined>, phase: LoadPhase): Promise<void> {
  tally = new Tally();
  const sentByRoom = new Array<number>(config.rooms).fill(0);
  const senders = connections.slice(0, Math.max(0, config.senders - config.first));
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  if (phase.schedule === 'bunched' && phase.messagesPerSecondPerSender > 0 && senders.length > 0) await sendBunched(senders, phase, sentByRoom);
  else await sendPoisson(senders, phase.messagesPerSecondPerSender, phase.durationMs, (sender) => sendOne(sender, sentByRoom));
  const coreShare = coreShareSince(cpuBefore, performance.now() - startedAt);
  loopDelay.disable();
  const drainOrder = nextMessage('drain');
  tell({ type: 'sent', sentByRoom });
  // What this process's connections are owed: every message sent to each room they are in, by any process.
  const everyRoom = (await drainOrder).sentByRoom;
  const expected = connections.reduce((sum, connection) => sum + (connection ? everyRoom[connection.room]! : 0), 0);
  await drain(expected);
  const report: PhaseReport = {
    type: 'phase-report',
    sent: tally.sent,
    deliveries: tally.deliveries,
    firstDeliveryMs: tally.deliveries > 0 ? tally.firstDeliveryAt - startedAt : 0,
    lastDeliveryMs: tally.deliveries > 0 ? tally.lastDeliveryAt - startedAt : 0,
    latenciesMs: tally.latenciesMs,
    coreShare,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    errors: tally.errors,
    ...(tally.firstError === undefined ? {} : { firstError: tally.firstError }),
    readsSent: tally.readsSent,
    order: tally.order,
  };
  tell(report);
}

async function main(): Promise<void> {
  // Without the benchmark process, nobody would ever close these connections.
  process.on('disconnect', () => process.exit(0));
  config = (await nextMessage('config')).config;
  const connections = await connectAll(config.connectBatch);
  if (!connections.some(Boolean)) throw new Error(`no connection succeeded: ${tally.firstError ?? 'unknown error'}`);
  for (let next = await nextMessage('phase', 'stop'); next.type === 'phase'; next = await nextMessage('phase', 'stop')) {
    await play(connections, next.phase);
  }
  closing = true;
  for (const connection of connections) connection?.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  // Exit only once the failure is handed over: process.send is asynchronous.
  process.send!({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies ChildMessage, () => process.exit(1));
});
