/**
 * A client process of the stream benchmark: holds its share of the people's connections for the
 * whole run and plays each phase it is told to. Several run side by side, so that no one event
 * loop, busy with thousands of sockets, delays what it measures.
 *
 * Every sender is its own client: its own timer, Poisson gaps from a random phase, independent of
 * the others, as people type. A send never waits for anything, so a slow server shows as
 * latency, not as a lower rate.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { coreShareSince, sendPoisson } from '../lib/client-timers.js';
import { nowMs } from '../fanout/protocol.js';
import { PersonSocket, Tally, type ConnectionSink, type PersonEvents } from './connection.js';
import type { ChildMessage, ClientsConfig, MentionSender, ParentMessage, RoomLoadReport } from './protocol.js';

/** How often what the streams received of their person's own events goes to the benchmark. */
const PUSH_INTERVAL_MS = 100;
/** A phase's drain ends when nothing arrived for this long… */
const DRAIN_QUIET_MS = 500;
/** …or at the latest this long after the last send. */
const DRAIN_MAX_MS = 5_000;
/** Sampling interval of the event-loop delay while sending. */
const LOOP_DELAY_RESOLUTION_MS = 10;

const tell = (message: ChildMessage) => process.send!(message);

let phase = new Tally();
const events: PersonEvents = { timeline: [], notifications: [] };
const sink: ConnectionSink & { closing: boolean } = { tally: () => phase, events, closing: false };

/** Opens `count` connections, `batch` at a time; failures are counted in the current tally. */
async function openAll<T>(count: number, batch: number, open: (i: number) => Promise<T>): Promise<Array<T | undefined>> {
  const opened = new Array<T | undefined>(count);
  for (let start = 0; start < count; start += batch) {
    const round: Array<Promise<void>> = [];
    for (let i = start; i < Math.min(count, start + batch); i += 1) {
      round.push(
        open(i).then(
          (connection) => {
            opened[i] = connection;
          },
          (err: unknown) => phase.error(err),
        ),
      );
    }
    await Promise.all(round);
  }
  return opened;
}

/** Waits until `tally` received nothing for a while, or a bound passed. */
function drain(tally: Tally, received: () => number): Promise<void> {
  return new Promise((resolve) => {
    let seen = received();
    const bound = performance.now() + DRAIN_MAX_MS;
    const check = setInterval(() => {
      const now = received();
      if (now === seen || performance.now() >= bound) {
        clearInterval(check);
        resolve();
      }
      seen = now;
    }, DRAIN_QUIET_MS);
  });
}

/** Every connection sends into its open room; reports what all of them received meanwhile. */
async function roomLoad(connections: ReadonlyArray<PersonSocket | undefined>, perSecond: number, durationMs: number): Promise<RoomLoadReport> {
  const tally = new Tally();
  phase = tally;
  // A late event loop here would show as latency the server did not cause.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const sent = await sendPoisson(connections, perSecond, durationMs, (connection) => connection.send(String(nowMs())));
  const coreShare = coreShareSince(cpuBefore, performance.now() - started);
  loopDelay.disable();
  await drain(tally, () => tally.messages + tally.activity);
  return {
    type: 'load-report',
    sent,
    messages: tally.messages,
    messageLatenciesMs: tally.messageLatenciesMs,
    messageOrder: tally.messageOrder,
    activity: tally.activity,
    activityLatenciesMs: tally.activityLatenciesMs,
    activityOrder: tally.activityOrder,
    lastEventMs: tally.lastEventAt > 0 ? tally.lastEventAt - started : 0,
    coreShare,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    errors: tally.errors,
    ...(tally.firstError === undefined ? {} : { firstError: tally.firstError }),
  };
}

/** Mention senders open in this process, between `mention-connect` and the end of `mentions`. */
interface MentionSenders {
  senders: readonly MentionSender[];
  sockets: Array<PersonSocket | undefined>;
  /** Their own copies of what they send: the acknowledgements. */
  acks: Tally;
  closing: boolean;
}

let mentionSenders: MentionSenders | undefined;

/** The mention text: a member's name in turn, then the send time. */
const mentionText = (senders: readonly MentionSender[], i: number, n: number) => {
  const names = senders[i]!.mention;
  return `@${names[n % names.length]} ${nowMs()}`;
};

/**
 * The senders join their quiet rooms, and each sends one mention to warm the path up (its
 * notification is not measured); resolves once those are acknowledged.
 */
async function connectMentionSenders(url: string, senders: readonly MentionSender[]): Promise<ChildMessage> {
  const state: MentionSenders = { senders, sockets: [], acks: new Tally(), closing: false };
  const ackSink: ConnectionSink = {
    tally: () => state.acks,
    events,
    get closing() {
      return sink.closing || state.closing;
    },
  };
  state.sockets = await openAll(senders.length, senders.length, (i) => PersonSocket.open(url, 'joinRoom', senders[i]!.token, senders[i]!.roomId, ackSink));
  state.sockets.forEach((socket, i) => socket?.send(mentionText(senders, i, 0)));
  await drain(state.acks, () => state.acks.messages);
  mentionSenders = state;
  return { type: 'mention-ready', senders: state.sockets.filter(Boolean).length, errors: state.acks.errors };
}

/**
 * The connected senders mention the other members of their rooms in turn, each message's text
 * ending with its send time; their own copy of each message is its acknowledgement. They close after.
 */
async function mentions(perSecond: number, durationMs: number): Promise<ChildMessage> {
  const state = mentionSenders;
  if (!state) throw new Error('mentions before mention-connect');
  const acks = new Tally();
  state.acks = acks;
  // The streams' own tally for the phase: what they receive meanwhile (room activity, errors).
  const streams = new Tally();
  phase = streams;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const sent = await sendPoisson(state.sockets, perSecond, durationMs, (socket, i, n) => socket.send(mentionText(state.senders, i, n)));
  const coreShare = coreShareSince(cpuBefore, performance.now() - started);
  await drain(acks, () => acks.messages);
  state.closing = true;
  for (const socket of state.sockets) socket?.close();
  mentionSenders = undefined;
  return {
    type: 'mention-report',
    senders: state.sockets.filter(Boolean).length,
    sent,
    ackLatenciesMs: acks.messageLatenciesMs,
    activity: streams.activity,
    coreShare,
    errors: acks.errors + streams.errors,
    ...((acks.firstError ?? streams.firstError) === undefined ? {} : { firstError: acks.firstError ?? streams.firstError }),
  };
}

/** Pushes the person events received since the last push, if any. */
function pushEvents(): void {
  if (events.timeline.length === 0 && events.notifications.length === 0) return;
  tell({ type: 'observed', timeline: events.timeline.splice(0), notifications: events.notifications.splice(0) });
}

async function main(): Promise<void> {
  // Without the benchmark process, nobody would ever close these connections.
  process.on('disconnect', () => process.exit(0));
  const config = await new Promise<ClientsConfig>((resolve) => {
    process.once('message', (message: ParentMessage) => {
      if (message.type === 'config') resolve(message.config);
    });
  });
  const started = performance.now();
  const connections = await openAll(config.people.length, config.connectBatch, (i) =>
    PersonSocket.open(config.url, config.kind, config.people[i]!.token, config.people[i]!.roomId, sink),
  );
  const connected = connections.filter(Boolean).length;
  tell({
    type: 'ready',
    connected,
    connectMs: performance.now() - started,
    errors: phase.errors,
    ...(phase.firstError === undefined ? {} : { firstError: phase.firstError }),
  });
  const pusher = setInterval(pushEvents, PUSH_INTERVAL_MS);
  process.on('message', (message: ParentMessage) => {
    const run = async (): Promise<ChildMessage | undefined> => {
      switch (message.type) {
        case 'load':
          return roomLoad(connections, message.perSecond, message.durationMs);
        case 'mention-connect':
          return connectMentionSenders(config.url, message.senders);
        case 'mentions':
          return mentions(message.perSecond, message.durationMs);
        case 'stop':
          clearInterval(pusher);
          sink.closing = true;
          for (const connection of connections) connection?.close();
          process.exit(0);
          return undefined;
        default:
          return undefined;
      }
    };
    run().then(
      (reply) => reply && tell(reply),
      (err: unknown) => fail(err),
    );
  });
}

function fail(err: unknown): void {
  // Exit only once the failure is handed over: process.send is asynchronous.
  process.send!({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies ChildMessage, () => process.exit(1));
}

main().catch(fail);
