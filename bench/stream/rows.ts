/** The stream benchmark's report rows: what each part measured, against its baseline from the same run. */
import os from 'node:os';
import type { ResultRow } from '../lib/report.js';
import { latencyColumns, summarize } from '../lib/stats.js';
import { subscribersPerRoom, type RoomLayoutShape } from './layout.js';
import type { NotificationLoad, NotificationsRun } from './notifications-live.js';
import type { SeqCheck } from './protocol.js';
import type { RoomLoadRun } from './room-load.js';
import type { TimelineRun } from './timeline-live.js';

/** The stream's p99 and ws-service CPU per message, at most this multiple of /ws/joinRoom's at the same load. */
const STREAM_VS_JOIN_GOAL = 1.5;
const TIMELINE_P99_GOAL_MS = 1_000;
const NOTIFICATION_P99_GOAL_MS = 100;

const count = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const percent = (part: number, whole: number) => `${((part / Math.max(1, whole)) * 100).toFixed(1)}%`;
const max = (values: readonly number[]) => (values.length === 0 ? Number.NaN : values.reduce((a, b) => Math.max(a, b), -Infinity));
const coreShares = (shares: readonly number[]) => shares.map((s) => `${Math.round(s * 100)}%`).join(', ');
/** How busy the whole machine was: near 100%, latencies include waiting for a core. */
const machineNote = (busy: number) =>
  `the machine's ${os.cpus().length} cores were ${Math.round(busy * 100)}% busy meanwhile (every process: services, PostgreSQL, load generators)${busy > 0.85 ? ': saturated, so latencies include waiting for a core' : ''}`;
const orderOk = (check: SeqCheck) => check.outOfOrder === 0 && check.gaps === 0;
const orderNote = (check: SeqCheck) => `${count(check.checked)} checked, ${count(check.outOfOrder)} out of order or repeated, ${count(check.gaps)} gaps`;

/** What one run of the room load comes to. */
interface LoadFigures {
  /** Deliveries expected: each stored message to each member who has the room open (the sender's own copy included)… */
  expectedMessages: number;
  /** …and, on streams, as room_activity to each member who has another room open. */
  expectedActivity: number;
  seconds: number;
  latency: ReturnType<typeof summarize>;
  cpuPerMessageUs: number;
  postgresPerMessageUs: number;
  kbPerConnection: number;
  delivered: boolean;
}

function loadFigures(run: RoomLoadRun, shape: RoomLayoutShape): LoadFigures {
  const half = subscribersPerRoom(shape);
  const { report, connected } = run;
  const expectedMessages = run.stored * half;
  return {
    expectedMessages,
    expectedActivity: connected.kind === 'stream' ? run.stored * half : 0,
    // A server that falls behind delivers over a longer span than the sending.
    seconds: Math.max(run.durationMs, report.lastEventMs) / 1000,
    latency: summarize(report.messageLatenciesMs),
    cpuPerMessageUs: (run.serviceCpuS / Math.max(1, run.stored)) * 1e6,
    postgresPerMessageUs: (run.postgresCpuS / Math.max(1, run.stored)) * 1e6,
    kbPerConnection: ((connected.rssAfterMiB - connected.rssBeforeMiB) * 1024) / Math.max(1, connected.pool.connected),
    delivered:
      connected.pool.errors === 0 && run.stored === report.sent && report.messages === expectedMessages && orderOk(report.messageOrder) && report.errors === 0,
  };
}

function loadNotes(run: RoomLoadRun, figures: LoadFigures, shape: RoomLayoutShape): string[] {
  const { report, connected } = run;
  const { pool } = connected;
  return [
    `${count(run.stored)} messages stored of ${count(report.sent)} sent (${count(run.stored / figures.seconds)}/s), each to the ${subscribersPerRoom(shape)} members who have the room open`,
    `${count(report.messages)} of ${count(figures.expectedMessages)} message deliveries (${percent(report.messages, figures.expectedMessages)}); seq on every connection: ${orderNote(report.messageOrder)}`,
    `ws-service CPU ${figures.cpuPerMessageUs.toFixed(1)} µs and PostgreSQL CPU ${figures.postgresPerMessageUs.toFixed(1)} µs per stored message`,
    `server memory ${figures.kbPerConnection.toFixed(1)} KB per connection (RSS ${connected.rssBeforeMiB.toFixed(0)} → ${connected.rssAfterMiB.toFixed(0)} MiB for ${count(pool.connected)} connections, read after they settled)`,
    `${count(pool.connected)} connections ready after ${(pool.connectMs / 1000).toFixed(1)} s, ${((connected.connectCpuS / Math.max(1, pool.connected)) * 1e6).toFixed(0)} µs of ws-service CPU each`,
    `load from ${report.coreShares.length} client processes, each client its own Poisson timer; each process at ${coreShares(report.coreShares)} of a core while sending, its event loop late by at most ${ms(max(report.loopDelaysP99Ms))} at p99`,
    machineNote(run.machineBusy),
    ...(report.errors + pool.errors > 0 ? [`${count(report.errors + pool.errors)} errors or lost connections (first: ${report.firstError ?? pool.firstError})`] : []),
  ];
}

/** Part 1: the load over streams, its room_activity, the memory per connection, and the joinRoom baseline. */
export function roomLoadRows(scenario: string, stream: RoomLoadRun, join: RoomLoadRun, shape: RoomLayoutShape): ResultRow[] {
  const s = loadFigures(stream, shape);
  const j = loadFigures(join, shape);
  const p99Ratio = s.latency.p99Ms / j.latency.p99Ms;
  const cpuRatio = s.cpuPerMessageUs / j.cpuPerMessageUs;
  const activity = summarize(stream.report.activityLatenciesMs);
  const activityDelivered = stream.report.activity === s.expectedActivity && orderOk(stream.report.activityOrder);
  const row = (run: RoomLoadRun, figures: LoadFigures, subject: string): ResultRow => ({
    scenario,
    subject,
    throughputPerSecond: run.report.messages / figures.seconds,
    unit: 'deliveries/s',
    ...latencyColumns(figures.latency),
    cpuSeconds: run.serviceCpuS,
    peakRssMiB: run.peakRssMiB,
    notes: loadNotes(run, figures, shape),
  });
  return [
    {
      ...row(stream, s, 'murmur /ws/stream: messages to the members who have the room open'),
      ratio: cpuRatio,
      ratioOf: 'ws-service CPU/message vs /ws/joinRoom',
      goal: `p99 and ws-service CPU per message ≤ ${STREAM_VS_JOIN_GOAL}× /ws/joinRoom's at the same load, every message and room_activity delivered in order`,
      goalMet: p99Ratio <= STREAM_VS_JOIN_GOAL && cpuRatio <= STREAM_VS_JOIN_GOAL && s.delivered && activityDelivered,
      notes: [`p99 ${p99Ratio.toFixed(2)}× and CPU per message ${cpuRatio.toFixed(2)}× /ws/joinRoom's (the stream also sends the room_activity row below)`, ...loadNotes(stream, s, shape)],
    },
    {
      scenario,
      subject: 'murmur /ws/stream: room_activity to the members who have another room open',
      throughputPerSecond: stream.report.activity / s.seconds,
      unit: 'events/s',
      ...latencyColumns(activity),
      goal: 'every one delivered, lastSeq contiguous per room on every stream',
      goalMet: activityDelivered,
      notes: [
        `${count(stream.report.activity)} of ${count(s.expectedActivity)} expected (${percent(stream.report.activity, s.expectedActivity)}): each stored message to the ${subscribersPerRoom(shape)} members who watch its room`,
        `lastSeq per watched room on every stream: ${orderNote(stream.report.activityOrder)}`,
      ],
    },
    row(join, j, 'baseline: /ws/joinRoom, one socket per person in the open room'),
    {
      scenario,
      subject: 'murmur /ws/stream: server memory per connection',
      peakRssMiB: stream.peakRssMiB,
      ratio: s.kbPerConnection / j.kbPerConnection,
      ratioOf: 'memory/connection vs /ws/joinRoom',
      notes: [
        `${s.kbPerConnection.toFixed(1)} KB per stream (a subscription and ${shape.roomsPerPerson - 1} watched rooms each), ${j.kbPerConnection.toFixed(1)} KB per /ws/joinRoom socket: RSS after connecting and settling, less RSS before, over the connections`,
      ],
    },
  ];
}

/** Part 2: the author's posts on every follower's stream, against the durable fan-out. */
export function timelineRows(scenario: string, run: TimelineRun, config: { inlineFollowers: number; batchSize: number }): ResultRow[] {
  const { posts, followers } = run;
  const all = posts.flatMap((p) => p.latenciesMs);
  const latency = summarize(all);
  const lastPerPost = posts.map((p) => max(p.latenciesMs));
  const last = summarize(lastPerPost);
  const feed = summarize(posts.flatMap((p) => (p.feedMs === undefined ? [] : [p.feedMs])));
  const missing = posts.length * followers - all.length;
  const steps = Math.ceil(Math.max(0, followers - config.inlineFollowers) / config.batchSize);
  const perPost = (cpuS: number) => `${((cpuS / Math.max(1, posts.length)) * 1000).toFixed(0)} ms`;
  const post = summarize(posts.map((p) => p.postMs));
  return [
    {
      scenario,
      subject: "murmur timeline event on every follower's stream",
      throughputPerSecond: all.length / Math.max(1e-9, lastPerPost.reduce((a, b) => a + b, 0) / 1000),
      unit: 'events/s',
      ...latencyColumns(latency),
      cpuSeconds: run.userServiceCpuS,
      ratio: last.p50Ms / feed.p50Ms,
      ratioOf: "last follower's event vs the post in the last home_feed (p50)",
      goal: `p99 ≤ ${TIMELINE_P99_GOAL_MS / 1000} s, every follower`,
      goalMet: latency.p99Ms <= TIMELINE_P99_GOAL_MS && missing === 0,
      notes: [
        `${posts.length} posts, one after another; p50/p99 over every follower's event (${count(all.length)}), from sending POST /posts; the slowest ${ms(max(all))}`,
        `the last follower's event, per post: p50 ${ms(last.p50Ms)}, the slowest ${ms(max(lastPerPost))}; ${count(missing)} events missing after 30 s`,
        `user-service: the request writes and tells the first ${count(config.inlineFollowers)} followers (TIMELINE_INLINE_FOLLOWERS), ${steps} jobs of up to ${count(config.batchSize)} (TIMELINE_FANOUT_BATCH_SIZE) the rest; events by PostgreSQL NOTIFY (no Redis)`,
        `POST /posts answered after p50 ${ms(post.p50Ms)}, p99 ${ms(post.p99Ms)}`,
        `CPU per post: user-service ${perPost(run.userServiceCpuS)}, ws-service ${perPost(run.wsServiceCpuS)}, PostgreSQL ${perPost(run.postgresCpuS)} (cpu s is user-service's)`,
        machineNote(run.machineBusy),
      ],
    },
    {
      scenario,
      subject: "baseline: the post in the last follower's home_feed (polled every 20 ms)",
      ...latencyColumns(feed),
      notes: [`the durable fan-out the events tell of, for the same ${posts.length} posts; the time until the last follower's row, from sending POST /posts`],
    },
  ];
}

/** Part 3: notifications from likes and from chat mentions, against the actions' own answers. */
export function notificationRows(scenario: string, run: NotificationsRun, load: NotificationLoad): ResultRow[] {
  // Over the load's duration: the arrivals after it are the same load's.
  const seconds = load.durationMs / 1000;
  const notified = run.likeLatenciesMs.length + run.mentionLatenciesMs.length;
  const perNotification = (cpuS: number) => `${((cpuS / Math.max(1, notified)) * 1e6).toFixed(0)} µs`;
  const likeAnswer = summarize(run.likes.latenciesMs);
  const ack = summarize(run.mentions.ackLatenciesMs);
  const shared = [
    `offered ${count(load.likesPerSecond)} likes/s from ${load.likeClients} clients and ${count(load.mentionsPerSecond)} mentions/s from ${count(run.mentions.senders)} senders, for ${(load.durationMs / 1000).toFixed(0)} s`,
    `CPU per notification: user-service ${perNotification(run.userServiceCpuS)}, ws-service ${perNotification(run.wsServiceCpuS)}, PostgreSQL ${perNotification(run.postgresCpuS)} (the actions themselves included)`,
    `each mention is also room_activity to its room's members: ${count(run.mentions.activity)} events meanwhile`,
    `load generators: this process (likes) at ${Math.round(run.likes.generatorCoreShare * 100)}% of a core, the client processes (mentions) at ${coreShares(run.mentions.coreShares)}`,
    machineNote(run.machineBusy),
    ...(run.likes.errors ? [`${count(run.likes.errors)} likes failed (first: ${run.likes.firstError})`] : []),
    ...(run.mentions.errors ? [`${count(run.mentions.errors)} errors on the chat side (first: ${run.mentions.firstError})`] : []),
  ];
  const live = (subject: string, latenciesMs: number[], expected: number, answer: ReturnType<typeof summarize>, answered: string): ResultRow => {
    const latency = summarize(latenciesMs);
    return {
      scenario,
      subject,
      throughputPerSecond: latenciesMs.length / seconds,
      unit: 'notifications/s',
      ...latencyColumns(latency),
      ratio: latency.p99Ms / answer.p99Ms,
      ratioOf: `p99 vs ${answered}`,
      goal: `p99 ≤ ${NOTIFICATION_P99_GOAL_MS} ms, every one delivered`,
      goalMet: latency.p99Ms <= NOTIFICATION_P99_GOAL_MS && latenciesMs.length === expected,
      notes: [`${count(latenciesMs.length)} of ${count(expected)} notifications arrived (${percent(latenciesMs.length, expected)}); the slowest ${ms(max(latenciesMs))}`, ...shared],
    };
  };
  return [
    live('murmur notification on the stream after a like (PUT /posts/:id/like)', run.likeLatenciesMs, run.expectedLikes, likeAnswer, 'the like answered'),
    live('murmur notification on the stream after a chat mention (/ws/joinRoom)', run.mentionLatenciesMs, run.expectedMentions, ack, 'the message acknowledged'),
    {
      scenario,
      subject: 'baseline: the like answered (PUT /posts/:id/like)',
      throughputPerSecond: run.likes.latenciesMs.length / seconds,
      unit: 'likes/s',
      ...latencyColumns(likeAnswer),
      notes: ['from the moment each like was due (its client’s own Poisson timer) to its answer'],
    },
    {
      scenario,
      subject: "baseline: the mention acknowledged (the sender's own copy)",
      throughputPerSecond: run.mentions.ackLatenciesMs.length / seconds,
      unit: 'messages/s',
      ...latencyColumns(ack),
      notes: [`from sending to the sender's own copy of the message; ${count(run.mentions.sent)} sent`],
    },
  ];
}
