/**
 * Part 2 of the stream benchmark: an author whose followers are all connected by `/ws/stream`
 * posts, and the post must reach every follower's stream as a `timeline` event. user-service
 * writes the first TIMELINE_INLINE_FOLLOWERS followers' timelines itself and tells their streams
 * when the request commits; jobs take the rest, TIMELINE_FANOUT_BATCH_SIZE followers a step, each
 * step telling its followers' streams (by PostgreSQL NOTIFY here: the benchmark runs without
 * Redis). Measured per follower: POST sent → `timeline` received. Baseline, for the same posts:
 * the post in the last follower's home_feed, the durable fan-out the events tell of.
 */
import type http from 'node:http';
import { nowMs } from '../fanout/protocol.js';
import type { BenchEnv, RunningService } from '../lib/bench-env.js';
import { createAgent, expectStatus } from '../lib/http-client.js';
import { PollTimeout, waitUntil } from '../lib/poll.js';
import { postgresCpuByPid, postgresCpuSince } from '../lib/postgres-cpu.js';
import { cpuSeconds, machineBusySince, machineCpu } from '../lib/process-stats.js';
import { deliveredToLast } from '../timeline/fan-out.js';
import { POLL } from '../timeline/rig.js';
import type { ClientPool } from './client-pool.js';
import type { StreamWorld } from './setup.js';

/** A post's events must all be in by then; later ones count as missing. */
const DEADLINE_MS = 30_000;
/** Pause between posts, so that one post's jobs are not queued behind the last one's. */
const BETWEEN_POSTS_MS = 500;

export interface TimelinePost {
  postId: number;
  /** POST /posts answered, ms after it was sent. */
  postMs: number;
  /** Per follower whose stream got the event: ms from sending the POST. */
  latenciesMs: number[];
  /** POST sent → the post in the last follower's home_feed (polled); undefined past the deadline. */
  feedMs: number | undefined;
}

export interface TimelineRun {
  posts: TimelinePost[];
  followers: number;
  userServiceCpuS: number;
  wsServiceCpuS: number;
  postgresCpuS: number;
  /** The share of the machine's cores busy meanwhile, every process counted. */
  machineBusy: number;
}

/** Each received `timeline` event's time, by post id. */
function collectTimeline(pool: ClientPool): Map<number, number[]> {
  const received = new Map<number, number[]>();
  pool.onObserved(({ timeline }) => {
    for (const [postId, atMs] of timeline) {
      let times = received.get(postId);
      if (!times) received.set(postId, (times = []));
      times.push(atMs);
    }
  });
  return received;
}

async function onePost(env: BenchEnv, users: RunningService, agent: http.Agent, world: StreamWorld, received: Map<number, number[]>, n: number): Promise<TimelinePost> {
  const lastFollowerId = world.people[world.followers - 1]!.id;
  const sentAt = nowMs();
  const started = performance.now();
  const res = await expectStatus(201, agent, 'POST', `${users.url}/posts`, { authorization: `Bearer ${world.authorToken}` }, JSON.stringify({ text: `post ${n} to every follower` }));
  const postMs = performance.now() - started;
  const postId = (JSON.parse(res.body) as { id: number }).id;
  let feedMs: number | undefined;
  try {
    feedMs = await waitUntil(() => deliveredToLast(env.pool, lastFollowerId, postId), { ...POLL, deadlineMs: DEADLINE_MS, since: started, what: `post ${postId} in the last timeline` });
  } catch (err) {
    if (!(err instanceof PollTimeout)) throw err;
  }
  try {
    await waitUntil(() => Promise.resolve((received.get(postId)?.length ?? 0) >= world.followers), {
      ...POLL,
      deadlineMs: DEADLINE_MS,
      since: started,
      what: `post ${postId} on every stream`,
    });
  } catch (err) {
    if (!(err instanceof PollTimeout)) throw err;
  }
  return { postId, postMs, latenciesMs: (received.get(postId) ?? []).map((atMs) => atMs - sentAt), feedMs };
}

/** The author posts `posts` times, one after another, each waited for on every stream. */
export async function runTimelineLive(env: BenchEnv, users: RunningService, ws: RunningService, pool: ClientPool, world: StreamWorld, posts: number): Promise<TimelineRun> {
  const received = collectTimeline(pool);
  const agent = createAgent(1);
  const usersBefore = cpuSeconds(users.pid);
  const wsBefore = cpuSeconds(ws.pid);
  const postgresBefore = postgresCpuByPid(env.databaseName);
  const machineBefore = machineCpu();
  const measured: TimelinePost[] = [];
  try {
    for (let n = 0; n < posts; n += 1) {
      measured.push(await onePost(env, users, agent, world, received, n));
      await new Promise((resolve) => setTimeout(resolve, BETWEEN_POSTS_MS));
    }
  } finally {
    agent.destroy();
  }
  return {
    posts: measured,
    followers: world.followers,
    userServiceCpuS: cpuSeconds(users.pid) - usersBefore,
    wsServiceCpuS: cpuSeconds(ws.pid) - wsBefore,
    postgresCpuS: postgresCpuSince(postgresBefore, env.databaseName),
    machineBusy: machineBusySince(machineBefore),
  };
}
