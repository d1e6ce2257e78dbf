/**
 * The stream: one `/ws/stream` connection per person, carrying every room they have open, the
 * activity of their other rooms, their timeline and their notifications. Three parts, on one set
 * of people connected once (bench/stream/):
 *
 * 1. many rooms: everyone is a member of several small rooms, has one open and talks in it, each
 *    person on their own Poisson timer; against the same people and load over `/ws/joinRoom`
 *    (one socket per person in the open room), on a fresh ws-service in the same run;
 * 2. timeline: an author followed by every connected person posts; time until every follower's
 *    stream has the `timeline` event, against the durable fan-out into home_feed;
 * 3. notifications: likes (user-service) and chat mentions (ws-service) at a steady rate; time
 *    until the `notification` event, against the actions' own answers.
 *
 * user-service and ws-service share the database; without Redis, user-service's live events go by
 * PostgreSQL NOTIFY, which ws-service listens to, as on a single-instance deployment.
 */
import type { BenchEnv, RunningService } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';
import { timedSteps } from '../lib/timed-step.js';
import { BENCH_LIMITS_ENV } from '../fanout/servers.js';
import { activeRoomCount, quietRoomCount, type RoomLayoutShape } from '../stream/layout.js';
import { runNotificationsLive, type NotificationLoad } from '../stream/notifications-live.js';
import { connectPeople, runRoomLoad, type RoomLoadRun } from '../stream/room-load.js';
import { notificationRows, roomLoadRows, timelineRows } from '../stream/rows.js';
import { buildStreamWorld, type StreamWorld } from '../stream/setup.js';
import { runTimelineLive } from '../stream/timeline-live.js';

export interface StreamOptions extends RoomLayoutShape {
  /** Each person sends into their open room at this rate on average (Poisson). */
  messagesPerSecondPerPerson: number;
  /** How long the room load runs. */
  durationMs: number;
  /** Client processes holding the connections. */
  clientProcesses: number;
  /** The author's followers: the first of the people, all connected. */
  followers: number;
  /** The author's posts, one after another. */
  timelinePosts: number;
  /** user-service's TIMELINE_INLINE_FOLLOWERS and TIMELINE_FANOUT_BATCH_SIZE, set explicitly (here: its defaults). */
  timelineInlineFollowers: number;
  timelineFanoutBatchSize: number;
  notifications: NotificationLoad;
}

const count = (n: number) => n.toLocaleString('en');

/** Starts ws-service against user-service, with the benchmark's raised abuse limits (every connection comes from 127.0.0.1). */
const startWs = (env: BenchEnv, users: RunningService) => env.startService('ws-service', { ...BENCH_LIMITS_ENV, WS_USER_SERVICE_URL: users.url });

/** The room load over `/ws/joinRoom`, on a ws-service of its own, closed after. */
async function joinRoomRun(env: BenchEnv, users: RunningService, world: StreamWorld, options: StreamOptions): Promise<RoomLoadRun> {
  const ws = await startWs(env, users);
  try {
    const connected = await connectPeople(ws, world, options, 'joinRoom', options.clientProcesses);
    try {
      return await runRoomLoad(env, ws, world, connected, options.messagesPerSecondPerPerson, options.durationMs);
    } finally {
      await connected.pool.close();
    }
  } finally {
    await ws.stop();
  }
}

export async function streamScenario(env: BenchEnv, options: StreamOptions): Promise<ResultRow[]> {
  const started = performance.now();
  const step = timedSteps('stream');
  const world = await buildStreamWorld(env, options, options.followers);
  const users = await env.startService('user-service', {
    // The author posts several times a minute: the posting limit is not what is measured.
    POSTS_MAX_PER_WINDOW: '1000000',
    TIMELINE_INLINE_FOLLOWERS: String(options.timelineInlineFollowers),
    TIMELINE_FANOUT_BATCH_SIZE: String(options.timelineFanoutBatchSize),
  });
  const people = count(options.people);
  const rooms = `${people} people, each a member of ${options.roomsPerPerson} rooms of ${options.roomSize} (${count(activeRoomCount(options))} active, ${count(quietRoomCount(options))} quiet) with one open`;
  const load = `${rooms}, each sending ${options.messagesPerSecondPerPerson}/s (Poisson) for ${options.durationMs / 1000} s`;
  try {
    const join = await step('the room load over /ws/joinRoom', () => joinRoomRun(env, users, world, options));
    const ws = await startWs(env, users);
    try {
      const connected = await step('connecting the streams', () => connectPeople(ws, world, options, 'stream', options.clientProcesses));
      try {
        const stream = await step('the room load over /ws/stream', () => runRoomLoad(env, ws, world, connected, options.messagesPerSecondPerPerson, options.durationMs));
        const timeline = await step('the timeline posts', () => runTimelineLive(env, users, ws, connected.pool, world, options.timelinePosts));
        const notifications = await step('the notifications', () => runNotificationsLive(env, users, ws, connected.pool, world, options, options.notifications));
        const n = options.notifications;
        console.log(`stream scenario: ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
        return [
          ...roomLoadRows(`stream, many rooms: ${load}`, stream, join, options),
          ...timelineRows(`stream, timeline: an author with ${count(options.followers)} followers, all connected by /ws/stream, posts`, timeline, {
            inlineFollowers: options.timelineInlineFollowers,
            batchSize: options.timelineFanoutBatchSize,
          }),
          ...notificationRows(
            `stream, notifications: ${count(n.likesPerSecond + n.mentionsPerSecond)}/s (likes and chat mentions) to ${people} people connected by /ws/stream`,
            notifications,
            n,
          ),
        ];
      } finally {
        await connected.pool.close();
      }
    } finally {
      await ws.stop();
    }
  } finally {
    await users.stop();
  }
}
