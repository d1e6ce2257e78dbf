/**
 * `npm run bench`: every hot path against its baseline, in one run on one machine, so each
 * figure is a ratio that holds on a noisy machine. `--quick` runs a reduced version.
 *
 * `--only NAME,NAME` runs only the named scenarios (names in SCENARIOS below: token-check,
 * logins, follows, timeline, social, search, search-load, fanout, idle, many-rooms, write-batching, read-receipts,
 * join-storm, two-instances, many-rooms-blocks, stream, uploads, media-serving, timeline-safety, timeline-media), e.g.
 *   node dist-tools/bench/run.js --only many-rooms,join-storm
 * A partial run writes <date>-partial[-quick].json, never replacing a full run's results.
 * `--profile DIR` writes a CPU profile of every service into DIR.
 *
 * The two-instance scenario needs Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379); it is
 * left out with a notice when none answers. It compares against the many-rooms murmur run when
 * that ran too, else measures one instance itself.
 *
 * The media-serving scenario runs nginx (BENCH_NGINX, else `nginx` on PATH or in /usr/sbin) for the
 * production gateway and its static-file baseline; without one, those two rows are left out with
 * a notice.
 */
import path from 'node:path';
import { REPO_ROOT } from '../scripts/repo-paths.js';
import { BenchEnv } from './lib/bench-env.js';
import { machineDescription, printTable, writeResults, type ResultRow } from './lib/report.js';
import { fanoutScenario, idleScenario } from './scenarios/fanout.js';
import { followScenario } from './scenarios/follows.js';
import { joinStormScenario } from './scenarios/join-storm.js';
import { loginScenario } from './scenarios/logins.js';
import { manyRoomsScenario, type ManyRoomsOptions, type ManyRoomsRun } from './scenarios/many-rooms.js';
import { manyRoomsBlocksScenario } from './scenarios/many-rooms-blocks.js';
import { searchScenario, type SearchOptions } from './scenarios/search.js';
import { searchLoadScenario, type SearchLoadOptions } from './scenarios/search-load.js';
import { socialScenario, type SocialOptions } from './scenarios/social.js';
import { streamScenario, type StreamOptions } from './scenarios/stream.js';
import { timelineScenario, type TimelineOptions } from './scenarios/timeline.js';
import { timelineMediaScenario } from './scenarios/timeline-media.js';
import { timelineSafetyScenario } from './scenarios/timeline-safety.js';
import type { TimelineData } from './timeline/data.js';
import type { SearchData } from './search/data.js';
import { tokenCheckScenario } from './scenarios/token-check.js';
import { readReceiptsScenario } from './scenarios/read-receipts.js';
import { twoInstancesScenario } from './scenarios/two-instances.js';
import { uploadsScenario, type UploadsOptions } from './scenarios/uploads.js';
import { mediaServingScenario, type MediaServingOptions } from './scenarios/media-serving.js';
import { writeBatchingScenario } from './scenarios/write-batching.js';

const quick = process.argv.includes('--quick');
const argument = (flag: string) => {
  const index = process.argv.indexOf(flag);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const profileDir = argument('--profile');
const only = argument('--only')?.split(',').map((name) => name.trim());

/**
 * The many-rooms load: 10,000 independent clients in rooms of 10, idle for 30 s (ws-service's
 * default WS_PING_INTERVAL_MS, so the idle phase holds one round of pings), then 100, 2,000 and
 * 5,000 messages/s in all, 20 s each; the bunched generator at 10,000/s as one labelled row.
 * The read-receipt and two-instance scenarios run at COMPARE_RATE and compare with it.
 */
const MANY_ROOMS: ManyRoomsOptions = quick
  ? { connections: 500, roomSize: 10, ratesPerSecond: [100, 500], durationMs: 3_000, idleMs: 2_000, bunchedPerSecond: 500 }
  : { connections: 10_000, roomSize: 10, ratesPerSecond: [100, 2_000, 5_000], durationMs: 20_000, idleMs: 30_000, bunchedPerSecond: 10_000 };
const COMPARE_RATE = quick ? 500 : 2_000;
/** The write lingers (WS_WRITE_LINGER_MS) the write-batching scenario weighs against each other. */
const WRITE_LINGERS_MS = quick ? [0, 5] : [0, 2, 5];
/**
 * Timelines: quick keeps every shape but shrinks the tables, audiences and repetitions. Two
 * ordinary posters load the service while the big audience's fan-out runs, without filling both
 * cores of the machine the benchmark was written on.
 */
const TIMELINE: TimelineOptions = quick
  ? {
      posts: 100_000,
      authors: 1_000,
      activeFollowed: 200,
      wideFollowed: 500,
      audience: 2_000,
      prolificAccounts: 10,
      prolificPosts: 2_000,
      requests: 200,
      pullRuns: 5,
      bigPosts: 3,
      posters: 2,
    }
  : {
      posts: 10_000_000,
      authors: 100_000,
      activeFollowed: 1_000,
      wideFollowed: 5_000,
      audience: 100_000,
      prolificAccounts: 50,
      prolificPosts: 10_000,
      requests: 2_000,
      pullRuns: 3,
      bigPosts: 10,
      posters: 2,
    };

/**
 * Replies, likes and trending tags. Run with the timeline scenario, they meet its posts table (ten
 * million posts); alone, their own rows only. Quick keeps every shape at smaller sizes.
 */
const SOCIAL: SocialOptions = quick
  ? { replies: 1_000, likes: 5_000, liveLikes: 400, likesPerSecond: 200, likeClients: 50, tagPosts: 20_000, tagAccounts: 1_000, tagVocabulary: 2_000, requests: 200, recomputeRuns: 3 }
  : {
      replies: 10_000,
      likes: 100_000,
      liveLikes: 10_000,
      likesPerSecond: 1_000,
      likeClients: 50,
      tagPosts: 1_000_000,
      tagAccounts: 20_000,
      tagVocabulary: 50_000,
      requests: 2_000,
      recomputeRuns: 5,
    };

/** Search: quick is a hundredth of the tables, with every shape kept. */
const SEARCH: SearchOptions = quick
  ? { messages: 100_000, users: 10_000, rooms: 100, privateRooms: 20, searcherPrivateRooms: 5, posts: 10_000, requests: 100, plainRuns: 5 }
  : { messages: 10_000_000, users: 1_000_000, rooms: 10_000, privateRooms: 2_000, searcherPrivateRooms: 50, posts: 1_000_000, requests: 1_000, plainRuns: 3 };

/**
 * Adversarial search beside chat: the search scenario's database, the many-rooms load at
 * COMPARE_RATE (20 s without searches, then 20 s with 20 clients searching in a loop); quick, at
 * its sizes.
 */
const SEARCH_LOAD: SearchLoadOptions = {
  data: SEARCH,
  connections: MANY_ROOMS.connections,
  roomSize: MANY_ROOMS.roomSize,
  perSecond: COMPARE_RATE,
  durationMs: MANY_ROOMS.durationMs,
  warmupMs: quick ? 1_000 : 5_000,
  searchers: 20,
};

/**
 * The stream: 10,000 people in rooms of 10, 10 rooms each, one open, 0.2 messages/s each (2,000/s
 * in all); the author's 10,000 followers are those people. Notifications: 100/s, half likes and
 * half chat mentions, a tenth of the 1,000/s aimed at: each costs about 10 ms of CPU over the two
 * services and PostgreSQL, and 200/s already fills the 2 cores the benchmark was written on.
 * Loads last 30 s, ws-service's default WS_PING_INTERVAL_MS, so each holds exactly one round of
 * pings to every socket (with 10,000 sockets, a stall that sets the p99: docs/benchmarks.md).
 * Quick keeps every part at a twentieth of the people.
 */
const STREAM: StreamOptions = quick
  ? {
      people: 500,
      roomSize: 10,
      roomsPerPerson: 10,
      messagesPerSecondPerPerson: 0.2,
      durationMs: 3_000,
      clientProcesses: 2,
      followers: 500,
      timelinePosts: 2,
      timelineInlineFollowers: 200,
      timelineFanoutBatchSize: 5_000,
      notifications: { likesPerSecond: 25, likeClients: 5, mentionsPerSecond: 25, mentionSenders: 50, durationMs: 3_000 },
    }
  : {
      people: 10_000,
      roomSize: 10,
      roomsPerPerson: 10,
      messagesPerSecondPerPerson: 0.2,
      durationMs: 30_000,
      clientProcesses: 4,
      followers: 10_000,
      timelinePosts: 5,
      timelineInlineFollowers: 200,
      timelineFanoutBatchSize: 5_000,
      notifications: { likesPerSecond: 50, likeClients: 25, mentionsPerSecond: 50, mentionSenders: 1_000, durationMs: 30_000 },
    };

/**
 * Pictures. Uploads: 20 clients each uploading a 12-megapixel JPEG in a loop for 30 s, a probe of
 * 50 light requests/s to the same service meanwhile and for 10 s before, and 40 pictures through
 * the in-process floor; quick keeps the clients and the picture, for 5 s.
 */
const UPLOADS: UploadsOptions = quick
  ? { clients: 20, width: 4000, height: 3000, durationMs: 5_000, baselineMs: 2_000, probePerSecond: 50, probeClients: 10, floorPictures: 4 }
  : { clients: 20, width: 4000, height: 3000, durationMs: 30_000, baselineMs: 10_000, probePerSecond: 50, probeClients: 10, floorPictures: 40 };
/**
 * Serving a preview: 2 load processes of 16 keep-alive connections each, reading it back to back
 * for 15 s (after 3 s not counted) through each path; quick, 8 connections each for 2 s. The
 * picture is 1600 × 1200, whose preview (43 KB) weighs what a photograph's does; the 12-MP test
 * picture's preview is nearly flat (1.5 KB).
 */
const MEDIA_SERVING: MediaServingOptions = quick
  ? { generators: 2, connections: 8, warmupMs: 1_000, durationMs: 2_000, width: 1600, height: 1200 }
  : { generators: 2, connections: 16, warmupMs: 3_000, durationMs: 15_000, width: 1600, height: 1200 };

/** What one scenario may hand to a later one in the same run. */
interface RunContext {
  manyRoomsMurmur?: ManyRoomsRun;
  /** The timeline scenario's database: timeline-safety and timeline-media read it with rows added. */
  timeline?: TimelineData;
  /** The search scenario's database: search-load searches it again, under chat. */
  search?: SearchData;
}

/** Every scenario, in the order a full run takes them. */
const SCENARIOS: Array<{ name: string; run(env: BenchEnv, context: RunContext): Promise<ResultRow[]> }> = [
  { name: 'token-check', run: (env) => tokenCheckScenario(env, quick ? 2_000 : 20_000) },
  { name: 'logins', run: (env) => loginScenario(env, { durationMs: quick ? 2_000 : 10_000, concurrency: 8 }) },
  { name: 'follows', run: (env) => followScenario(env, { durationMs: quick ? 2_000 : 10_000, connections: 50, users: 2_000 }) },
  { name: 'timeline', run: (env, context) => timelineScenario(env, TIMELINE, (data) => (context.timeline = data)) },
  { name: 'social', run: (env) => socialScenario(env, SOCIAL) },
  { name: 'search', run: (env, context) => searchScenario(env, SEARCH, (data) => (context.search = data)) },
  { name: 'search-load', run: (env, context) => searchLoadScenario(env, SEARCH_LOAD, context.search) },
  {
    name: 'fanout',
    run: (env) =>
      fanoutScenario(
        env,
        quick
          ? { connections: 200, senders: 10, messagesPerSecondPerSender: 10, durationMs: 2_000 }
          : { connections: 1_000, senders: 40, messagesPerSecondPerSender: 10, durationMs: 20_000 },
      ),
  },
  { name: 'idle', run: (env) => idleScenario(env, quick ? 1_000 : 15_000) },
  {
    name: 'many-rooms',
    run: async (env, context) => {
      const { rows, murmur } = await manyRoomsScenario(env, MANY_ROOMS);
      context.manyRoomsMurmur = murmur;
      return rows;
    },
  },
  { name: 'write-batching', run: (env) => writeBatchingScenario(env, MANY_ROOMS, WRITE_LINGERS_MS) },
  { name: 'read-receipts', run: (env, context) => readReceiptsScenario(env, MANY_ROOMS, COMPARE_RATE, context.manyRoomsMurmur) },
  {
    name: 'join-storm',
    run: (env) => joinStormScenario(env, quick ? { connections: 500, roomSize: 10, historyPerRoom: 50 } : { connections: 10_000, roomSize: 10, historyPerRoom: 50 }),
  },
  { name: 'two-instances', run: (env, context) => twoInstancesScenario(env, MANY_ROOMS, COMPARE_RATE, context.manyRoomsMurmur) },
  { name: 'many-rooms-blocks', run: (env) => manyRoomsBlocksScenario(env, MANY_ROOMS, COMPARE_RATE, 1_000) },
  { name: 'stream', run: (env) => streamScenario(env, STREAM) },
  { name: 'uploads', run: (env) => uploadsScenario(env, UPLOADS) },
  { name: 'media-serving', run: (env) => mediaServingScenario(env, MEDIA_SERVING) },
  { name: 'timeline-safety', run: (env, context) => timelineSafetyScenario(env, { ...TIMELINE, relations: 1_000 }, context.timeline) },
  // Last: it adds pictures to every post in the database, which no other scenario expects.
  { name: 'timeline-media', run: (env, context) => timelineMediaScenario(env, { ...TIMELINE, picturesPerPost: 4 }, context.timeline) },
];

function selectedScenarios(): typeof SCENARIOS {
  if (!only) return SCENARIOS;
  const unknown = only.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`--only: no scenario named ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return SCENARIOS.filter((s) => only.includes(s.name));
}

async function main(): Promise<void> {
  const scenarios = selectedScenarios();
  console.log(`murmur benchmark${quick ? ' (quick)' : ''}${only ? ` (only ${only.join(', ')})` : ''} on ${machineDescription()}\n`);
  const rows: ResultRow[] = [];
  const context: RunContext = {};
  const env = await BenchEnv.open();
  env.profileDir = profileDir;
  try {
    for (const scenario of scenarios) rows.push(...(await scenario.run(env, context)));
  } finally {
    await env.close();
  }
  console.log('');
  printTable(rows);
  const command = `npm run bench${quick || only ? ' --' : ''}${quick ? ' --quick' : ''}${only ? ` --only ${only.join(',')}` : ''}`;
  const file = writeResults(path.join(REPO_ROOT, 'bench/results'), rows, { quick, partial: Boolean(only), command });
  console.log(`\nresults written to ${path.relative(REPO_ROOT, file)}`);
}

main().catch((err: unknown) => {
  console.error('benchmark failed:', err);
  process.exit(1);
});
