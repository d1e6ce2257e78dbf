/**
 * A load-generator process for the fan-out and idle scenarios: opens the connections, reports
 * `ready`, sends at a steady rate on `start`, and reports what arrived. It runs apart from the
 * server so the server's CPU figures are its own.
 *
 * Receivers count deliveries without parsing, except every `sampleEvery`-th, which parses to
 * measure send-to-receive latency (messages carry their send time as text).
 */
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import type { ChildMessage, GeneratorConfig, ParentMessage } from './protocol.js';
import { nowMs } from './protocol.js';
import { summarize } from '../lib/stats.js';

interface Connection {
  send(text: string): void;
  close(): void;
}

let config: GeneratorConfig;
let deliveries = 0;
let sent = 0;
let errors = 0;
const latenciesMs: number[] = [];
const MESSAGE_MARKER = '"type":"message"';

const tell = (message: ChildMessage) => process.send!(message);

/** Counts murmur `message` events in a frame (one JSON event per line) and samples latency. */
function onMurmurFrame(data: string, sampled: boolean): void {
  let index = data.indexOf(MESSAGE_MARKER);
  while (index !== -1) {
    deliveries += 1;
    index = data.indexOf(MESSAGE_MARKER, index + MESSAGE_MARKER.length);
  }
  if (!sampled) return;
  for (const line of data.split('\n')) {
    if (!line.includes(MESSAGE_MARKER)) continue;
    const event = JSON.parse(line) as { text: string };
    latenciesMs.push(nowMs() - Number(event.text));
  }
}

function onPlainMessage(text: string, sampled: boolean): void {
  deliveries += 1;
  if (sampled) latenciesMs.push(nowMs() - Number(text));
}

function openWs(url: string, headers: Record<string, string>, sampled: boolean, murmur: boolean): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      if (murmur) onMurmurFrame(text, sampled);
      else onPlainMessage(text, sampled);
    });
    socket.once('open', () => resolve({ send: (text) => socket.send(murmur ? JSON.stringify({ type: 'message', text }) : text), close: () => socket.terminate() }));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    socket.on('error', (err) => {
      errors += 1;
      reject(err);
    });
  });
}

function openSocketIo(url: string, sampled: boolean): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('message', (text: string) => onPlainMessage(text, sampled));
    socket.once('connect', () => resolve({ send: (text) => socket.emit('message', text), close: () => socket.close() }));
    socket.once('connect_error', reject);
  });
}

function open(i: number): Promise<Connection> {
  const sampled = i % config.sampleEvery === 0;
  if (config.kind === 'socket.io') return openSocketIo(config.url, sampled);
  if (config.kind === 'ws-loop') return openWs(config.url, {}, sampled, false);
  const rooms = config.roomIds!;
  const token = config.tokens![i % config.tokens!.length]!;
  return openWs(`${config.url}/ws/joinRoom/${rooms[i % rooms.length]}`, { authorization: `Bearer ${token}` }, sampled, true);
}

async function connectAll(): Promise<Connection[]> {
  const connections: Connection[] = [];
  for (let start = 0; start < config.connections; start += config.connectBatch) {
    const batch = Array.from({ length: Math.min(config.connectBatch, config.connections - start) }, (_, k) => open(start + k));
    connections.push(...(await Promise.all(batch)));
  }
  return connections;
}

/**
 * Each sender sends at its rate, senders spread evenly across the interval. Every send is
 * scheduled at an absolute time (start + k × interval), so timer drift never lowers the rate.
 */
function sendFor(connections: Connection[]): Promise<void> {
  const intervalMs = 1000 / config.messagesPerSecondPerSender;
  const startedAt = performance.now();
  const endAt = startedAt + config.durationMs;
  let running = config.senders;
  return new Promise((resolve) => {
    for (let s = 0; s < config.senders; s += 1) {
      const offset = (s * intervalMs) / config.senders;
      let k = 0;
      const tick = () => {
        connections[s]!.send(String(nowMs()));
        sent += 1;
        k += 1;
        const due = startedAt + offset + k * intervalMs;
        if (due < endAt) setTimeout(tick, Math.max(0, due - performance.now()));
        else if (--running === 0) resolve();
      };
      setTimeout(tick, offset);
    }
  });
}

/** Waits until deliveries stop arriving (or a bound passes), so queued output is counted. */
async function drain(expected: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  let last = -1;
  while (Date.now() < deadline && deliveries < expected && deliveries !== last) {
    last = deliveries;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function main(): Promise<void> {
  config = await new Promise<GeneratorConfig>((resolve) =>
    process.once('message', (m: ParentMessage) => m.type === 'config' && resolve(m.config)),
  );
  const connections = await connectAll();
  tell({ type: 'ready', connected: connections.length });
  await new Promise<void>((resolve) => process.once('message', (m: ParentMessage) => m.type === 'start' && resolve()));
  deliveries = 0;
  latenciesMs.length = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  if (config.senders > 0) await sendFor(connections);
  else await new Promise<void>((resolve) => process.once('message', (m: ParentMessage) => m.type === 'stop' && resolve()));
  const cpu = process.cpuUsage(cpuBefore);
  const coreShare = (cpu.user + cpu.system) / 1000 / (performance.now() - started);
  const roomSize = config.kind === 'murmur' ? config.connections / config.roomIds!.length : config.connections;
  await drain(sent * roomSize);
  for (const connection of connections) connection.close();
  // Exit only once the report is handed over: process.send is asynchronous.
  process.send!({ type: 'report', sent, deliveries, latency: summarize(latenciesMs), coreShare, errors } satisfies ChildMessage, () =>
    process.exit(0),
  );
}

main().catch((err: unknown) => {
  tell({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
