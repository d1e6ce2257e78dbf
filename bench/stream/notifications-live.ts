/**
 * Part 3 of the stream benchmark: notifications made at a steady rate, each to someone connected
 * by `/ws/stream`, from the two services that make them:
 * - likes (`PUT /posts/:id/like` on user-service), each of another person's post, by clients on
 *   their own connections and Poisson timers; user-service sends the notification by NOTIFY;
 * - chat mentions: senders joined to quiet rooms by `/ws/joinRoom` mention the other members, who
 *   are not connected to those rooms; ws-service makes the notification and sends it itself.
 * Before the measured period the senders join their rooms and both paths warm up (a mention
 * from each sender, a few hundred likes), so that neither a thousand joins nor cold code lands in
 * it. Measured: action sent → `notification` received. Baselines, in the same run: the actions'
 * own answers (the like's response, the message's acknowledgement).
 */
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { nowMs } from '../fanout/protocol.js';
import type { BenchEnv, RunningService } from '../lib/bench-env.js';
import { createAgent, expectStatus } from '../lib/http-client.js';
import { PollTimeout, waitUntil } from '../lib/poll.js';
import { postgresCpuByPid, postgresCpuSince } from '../lib/postgres-cpu.js';
import { cpuSeconds, machineBusySince, machineCpu } from '../lib/process-stats.js';
import { runPoissonClients, type OpenLoopResult } from '../social/live-likes.js';
import type { ClientPool, MergedMentionReport } from './client-pool.js';
import { quietMembers, quietRoomCount, type RoomLayoutShape } from './layout.js';
import type { MentionSender } from './protocol.js';
import type { StreamWorld } from './setup.js';

/** After the actions, how long the last notifications may take to arrive. */
const ARRIVAL_DEADLINE_MS = 10_000;
/** Likes before the measured ones, a few at a time, and the pause after them. */
const WARMUP_LIKES = 200;
const WARMUP_CONCURRENCY = 4;
const WARMUP_SETTLE_MS = 1_000;

export interface NotificationLoad {
  likesPerSecond: number;
  /** Like clients, each its own connection and timer. */
  likeClients: number;
  mentionsPerSecond: number;
  /** Mention senders, one per quiet room (at most as many as there are), connected before the measured period. */
  mentionSenders: number;
  durationMs: number;
}

export interface NotificationsRun {
  likes: OpenLoopResult;
  mentions: MergedMentionReport;
  /** Like sent → its notification on the author's stream, per like notified. */
  likeLatenciesMs: number[];
  /** Mention sent → its notification on the mentioned member's stream. */
  mentionLatenciesMs: number[];
  /** Notifications expected: one per like answered, one per mention acknowledged. */
  expectedLikes: number;
  expectedMentions: number;
  userServiceCpuS: number;
  wsServiceCpuS: number;
  postgresCpuS: number;
  /** The share of the machine's cores busy meanwhile, every process counted. */
  machineBusy: number;
}

/**
 * Like number j: liker j mod people, of the post of the person after them, shifted further on
 * each round through the people, so no pair repeats (a like notifies once per liker and post)
 * and nobody likes their own post.
 */
function likePair(people: number, j: number): { liker: number; author: number } {
  const liker = j % people;
  return { liker, author: (liker + 1 + Math.floor(j / people)) % people };
}

/**
 * Likes before the measured ones, so that the like path runs optimized code and its pools are
 * open; pairs past the measured ones, so none repeats. Their notifications are not measured.
 */
async function warmUpLikes(like: (agent: http.Agent, j: number) => { send: () => Promise<unknown> }, after: number): Promise<void> {
  const agent = createAgent(WARMUP_CONCURRENCY);
  try {
    await Promise.all(
      Array.from({ length: WARMUP_CONCURRENCY }, async (_, w) => {
        for (let j = w; j < WARMUP_LIKES; j += WARMUP_CONCURRENCY) await like(agent, after + j).send();
      }),
    );
    // Their notifications arrive before the measured period starts.
    await sleep(WARMUP_SETTLE_MS);
  } finally {
    agent.destroy();
  }
}

/** One sender per quiet room, its first member, mentioning the other members in turn. */
function mentionSenders(world: StreamWorld, shape: RoomLayoutShape, count: number): MentionSender[] {
  return Array.from({ length: Math.min(count, quietRoomCount(shape)) }, (_, r) => {
    const [sender, ...others] = quietMembers(shape, r);
    return { token: world.tokens[sender!]!, roomId: world.quietRoomIds[r]!, mention: others.map((p) => world.people[p]!.username) };
  });
}

export async function runNotificationsLive(
  env: BenchEnv,
  users: RunningService,
  ws: RunningService,
  pool: ClientPool,
  world: StreamWorld,
  shape: RoomLayoutShape,
  load: NotificationLoad,
): Promise<NotificationsRun> {
  const people = world.people.length;
  const perClient = Math.round((load.likesPerSecond * load.durationMs) / 1000 / load.likeClients);
  const measuredLikes = perClient * load.likeClients;
  if (measuredLikes + WARMUP_LIKES >= people * (people - 1)) throw new Error('more likes than distinct pairs of people');
  const like = (agent: http.Agent, j: number) => {
    const { liker, author } = likePair(people, j);
    const postId = world.postIds[author]!;
    return { key: `${world.people[liker]!.id}:${postId}`, send: () => expectStatus(200, agent, 'PUT', `${users.url}/posts/${postId}/like`, { authorization: `Bearer ${world.tokens[liker]!}` }) };
  };
  const senders = mentionSenders(world, shape, load.mentionSenders);
  const connectedSenders = await pool.connectMentionSenders(senders);
  await warmUpLikes(like, measuredLikes);

  const likeSentAt = new Map<string, number>();
  const likeLatenciesMs: number[] = [];
  const mentionLatenciesMs: number[] = [];
  const measuredFrom = nowMs();
  pool.onObserved(({ notifications }) => {
    for (const seen of notifications) {
      if (seen.type === 'like') {
        const sentAt = likeSentAt.get(`${seen.accountId}:${seen.postId}`);
        if (sentAt !== undefined) likeLatenciesMs.push(seen.atMs - sentAt);
      } else if (seen.type === 'room_mention' && seen.sentAtMs !== undefined && seen.sentAtMs >= measuredFrom) {
        // The warm-up's mentions were sent before; theirs are not measured.
        mentionLatenciesMs.push(seen.atMs - seen.sentAtMs);
      }
    }
  });
  const agents = Array.from({ length: load.likeClients }, () => createAgent(1));
  const usersBefore = cpuSeconds(users.pid);
  const wsBefore = cpuSeconds(ws.pid);
  const postgresBefore = postgresCpuByPid(env.databaseName);
  const machineBefore = machineCpu();
  let likes: OpenLoopResult;
  let mentions: MergedMentionReport;
  try {
    [likes, mentions] = await Promise.all([
      runPoissonClients(load.likeClients, perClient, load.likesPerSecond, (c, i) => {
        const { key, send } = like(agents[c]!, c * perClient + i);
        likeSentAt.set(key, nowMs());
        return send();
      }),
      pool.mentions(load.mentionsPerSecond / connectedSenders, load.durationMs),
    ]);
  } finally {
    for (const agent of agents) agent.destroy();
  }
  const expectedLikes = likes.latenciesMs.length;
  const expectedMentions = mentions.ackLatenciesMs.length;
  try {
    await waitUntil(() => Promise.resolve(likeLatenciesMs.length >= expectedLikes && mentionLatenciesMs.length >= expectedMentions), {
      intervalMs: 50,
      deadlineMs: ARRIVAL_DEADLINE_MS,
      what: 'the last notifications',
    });
  } catch (err) {
    if (!(err instanceof PollTimeout)) throw err;
  }
  return {
    likes,
    mentions,
    likeLatenciesMs,
    mentionLatenciesMs,
    expectedLikes,
    expectedMentions,
    userServiceCpuS: cpuSeconds(users.pid) - usersBefore,
    wsServiceCpuS: cpuSeconds(ws.pid) - wsBefore,
    postgresCpuS: postgresCpuSince(postgresBefore, env.databaseName),
    machineBusy: machineBusySince(machineBefore),
  };
}
