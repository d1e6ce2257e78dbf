/**
 * Search on a database of many messages, posts and users: a rare word, a word in 10% of all
 * texts (first page), words in 1% and 0.1% (between the walk and the index), names by prefix
 * and whole. Each request goes through the service; its
 * baseline is the very same statements (the walk, then the index when the walk found too few)
 * run through raw `pg`, so the difference is what the service adds. The plain query (every match
 * through the index, then the newest) is measured a few times for reference: it is what the walk
 * saves on a common word. Reports the search indexes' size per row and prints each plan.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import { walkOf, walkThenIndex, type WalkColumns, type WalkLimits } from '@murmur/shared/search';
import { messagesMatchingQuery, walkMessagesQuery, type SearchScope } from '@murmur/ws-service/search-query';
import { postsMatchingQuery, usersByPrefixQuery, walkPostsQuery } from '@murmur/user-service/search-query';
import type { BenchEnv } from '../lib/bench-env.js';
import { createAgent, expectStatus } from '../lib/http-client.js';
import { cpuSeconds } from '../lib/process-stats.js';
import type { ResultRow } from '../lib/report.js';
import { latencyColumns, sequentialRate, summarize, timeRuns } from '../lib/stats.js';
import { BAND_WORDS, buildSearchData, COMMON_WORD, RARE_HITS, RARE_WORDS, type SearchData, type SearchDataShape } from '../search/data.js';
import { BENCH_SEARCH_LIMITS_ENV } from '../search/limits.js';

export interface SearchOptions extends SearchDataShape {
  /** Requests per measured row (and as many through raw pg). */
  requests: number;
  /** Runs of the plain query for a common word: slow on a large table, so only a few. */
  plainRuns: number;
}

const PAGE_SIZE = 20;
/** How far a search walks before it asks the index: the services' defaults, given to them explicitly. */
const WALK: WalkLimits = { walkRows: 500, maxWalkRows: 20_000 };
const RARE_GOAL_MS = 20;
const COMMON_GOAL_MS = 100;
const NAME_GOAL_MS = 20;

const dialect = new PgDialect();
const count = (n: number) => n.toLocaleString('en');

/** One measured search: its URL for each request `i`, and the same statements through raw pg. */
interface SearchCase {
  scenario: string;
  subject: string;
  url: (i: number) => string;
  raw: (i: number) => Promise<unknown>;
  goalMs?: number;
  /** Names the baseline when it is not the service's whole SQL. */
  baseline?: string;
  /** The statements of request 0, to print their plans. */
  plans: SQL[];
  /** Which of the service's ways served request 0. */
  path?: () => Promise<Path>;
}

/** A row of a search statement: a walk's rows also say how many rows it walked and where it ended. */
interface SearchRow extends WalkColumns<number> {
  id: unknown;
}

async function runSql(client: pg.Client, query: SQL): Promise<SearchRow[]> {
  const { sql, params } = dialect.sqlToQuery(query);
  return (await client.query<SearchRow>(sql, params)).rows;
}

/** The walk statement of a search from a position (the request's own when undefined), over `rows` rows, keeping `wanted` matches. */
type WalkSql = (from: number | undefined, rows: number, wanted: number) => SQL;

type Path = 'walk' | 'second walk' | 'index';

/** The service's statements for one page, in the service's order: the walks, then the index if they found too few. */
async function viaWalk(client: pg.Client, walk: WalkSql, index: SQL): Promise<{ rows: unknown[]; path: Path }> {
  let path: Path = 'walk';
  const rows = await walkThenIndex<unknown, number>(
    PAGE_SIZE + 1,
    WALK,
    async (from, rows, wanted) => {
      if (from !== undefined) path = 'second walk';
      return walkOf(await runSql(client, walk(from, rows, wanted)), rows, (row) => row);
    },
    async () => {
      path = 'index';
      return runSql(client, index);
    },
  );
  return { rows, path };
}

const PATHS: Record<Path, string> = {
  walk: 'the walk (newest first, stopped after a page)',
  'second walk': 'a second, longer walk (the first found some matches, not a page)',
  index: 'the search index (the walks found too few)',
};

async function explain(client: pg.Client, query: SQL, label: string): Promise<void> {
  const { sql, params } = dialect.sqlToQuery(query);
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  console.log(`search plan, ${label}:\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
}

async function measure(agent: ReturnType<typeof createAgent>, pid: number, token: string | undefined, raw: pg.Client, c: SearchCase, requests: number): Promise<ResultRow[]> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const viaHttp = (i: number) => expectStatus(200, agent, 'GET', c.url(i), headers);
  let i = 0;
  const warm = Math.max(50, Math.round(requests / 2));
  await timeRuns(() => viaHttp(i++), warm);
  await timeRuns(() => c.raw(i++), warm);
  for (const [k, plan] of c.plans.entries()) await explain(raw, plan, `${c.subject} (statement ${k + 1})`);
  i = 0;
  const cpuBefore = cpuSeconds(pid);
  const httpLatencies = await timeRuns(() => viaHttp(i++), requests);
  const cpu = cpuSeconds(pid) - cpuBefore;
  i = 0;
  const rawLatencies = await timeRuns(() => c.raw(i++), requests);
  const http = summarize(httpLatencies);
  const base = summarize(rawLatencies);
  return [
    {
      scenario: c.scenario,
      subject: `murmur ${c.subject}`,
      throughputPerSecond: sequentialRate(httpLatencies),
      unit: 'req/s',
      ...latencyColumns(http),
      cpuSeconds: cpu,
      ratio: http.p99Ms / base.p99Ms,
      ratioOf: `p99 vs ${c.baseline ?? 'the same SQL'}, raw pg`,
      ...(c.goalMs === undefined ? {} : { goal: `p99 ≤ ${c.goalMs} ms`, goalMet: http.p99Ms <= c.goalMs }),
      notes: [`${((cpu / requests) * 1e6).toFixed(0)} µs of service CPU per request, one request at a time`],
    },
    { scenario: c.scenario, subject: `baseline: ${c.baseline ?? 'same SQL'}, raw pg (${c.subject})`, throughputPerSecond: sequentialRate(rawLatencies), unit: 'req/s', ...latencyColumns(base) },
  ];
}

/** Bytes per row of each search index, and of the table itself for scale. */
async function indexSizes(env: BenchEnv, scenario: string, counts: { messages: number; posts: number; users: number }): Promise<ResultRow[]> {
  const sizes: Array<[string, string, number]> = [
    ['messages_text_search_idx', 'message', counts.messages],
    ['messages', 'message (the table itself)', counts.messages],
    ['posts_text_search_idx', 'post', counts.posts],
    ['users_username_prefix_idx', 'user', counts.users],
    ['users_username_trgm_idx', 'user', counts.users],
  ];
  const rows: ResultRow[] = [];
  for (const [relation, per, n] of sizes) {
    const { rows: size } = await env.pool.query<{ bytes: number }>('SELECT pg_relation_size($1::regclass) AS bytes', [relation]);
    const bytes = Number(size[0]!.bytes);
    rows.push({ scenario, subject: `${relation}: ${(bytes / n).toFixed(1)} bytes per ${per}`, notes: [`${(bytes / 2 ** 20).toFixed(0)} MiB for ${count(n)} rows`] });
  }
  return rows;
}

/** Accounts the searcher blocks, and as many it mutes, in the rows measured last. */
const SAFETY_RELATIONS = 1_000;

/**
 * Has `searcherId` block `count` accounts that wrote posts and messages, and mute `count` more;
 * resolves how many of each.
 */
async function blockAndMuteAuthors(env: BenchEnv, searcherId: number, count: number): Promise<{ blocked: number; muted: number }> {
  const { rows } = await env.pool.query<{ author_id: number }>(
    'SELECT DISTINCT author_id FROM (SELECT author_id FROM posts WHERE author_id <> $1 LIMIT $2) p',
    [searcherId, 20 * count],
  );
  const authors = rows.map((row) => row.author_id);
  const blocked = authors.slice(0, count);
  const muted = authors.slice(count, 2 * count);
  await env.pool.query('INSERT INTO blocks (blocker_id, blocked_id) SELECT $1, unnest($2::int[])', [searcherId, blocked]);
  await env.pool.query('INSERT INTO mutes (muter_id, muted_id) SELECT $1, unnest($2::int[])', [searcherId, muted]);
  await env.pool.query('VACUUM (ANALYZE) blocks, mutes');
  return { blocked: blocked.length, muted: muted.length };
}

/** @param onData receives the database built, for the scenarios that search it under load. */
export async function searchScenario(env: BenchEnv, options: SearchOptions, onData: (data: SearchData) => void = () => undefined): Promise<ResultRow[]> {
  const started = performance.now();
  const data = await buildSearchData(env, options);
  onData(data);
  const token = await env.issueToken(data.searcher);
  const limits = { walk: String(WALK.walkRows), max: String(WALK.maxWalkRows) };
  const ws = await env.startService('ws-service', { ...BENCH_SEARCH_LIMITS_ENV, WS_SEARCH_WALK_ROWS: limits.walk, WS_SEARCH_MAX_WALK_ROWS: limits.max });
  const users = await env.startService('user-service', {
    ...BENCH_SEARCH_LIMITS_ENV,
    SEARCH_WALK_ROWS: limits.walk,
    SEARCH_MAX_WALK_ROWS: limits.max,
    TIMELINE_WORKERS: '0',
  });
  const agent = createAgent(1);
  const raw = new pg.Client({ connectionString: env.databaseUrl });
  await raw.connect();
  const scope: SearchScope = { userId: data.searcher.id };
  const rare = (i: number) => RARE_WORDS[i % RARE_WORDS.length]!;
  const limit = PAGE_SIZE + 1;
  const messagesScenario = `search: ${count(options.messages)} messages in ${count(options.rooms)} rooms, the searcher reads the public ones and ${options.searcherPrivateRooms} private`;
  const postsScenario = `search: ${count(options.posts)} posts`;
  const usersScenario = `search: ${count(data.counts.users)} users`;
  /** A case served by walkThenIndex: `walk` and `index` make its statements for the words `q`. */
  const walkedCase = (scenario: string, subject: string, url: (q: string) => string, q: (i: number) => string, walk: (q: string) => WalkSql, index: (q: string) => SQL, goalMs?: number): SearchCase => ({
    scenario,
    subject,
    url: (i) => url(q(i)),
    raw: (i) => viaWalk(raw, walk(q(i)), index(q(i))),
    goalMs,
    plans: [walk(q(0))(undefined, WALK.walkRows, limit), index(q(0))],
    path: async () => (await viaWalk(raw, walk(q(0)), index(q(0)))).path,
  });
  const messageCase = (subject: string, q: (i: number) => string, inScope: SearchScope, goalMs?: number) =>
    walkedCase(
      messagesScenario,
      subject,
      (words) => `${ws.url}/ws/search?q=${encodeURIComponent(words)}&limit=${PAGE_SIZE}${inScope.roomId === undefined ? '' : `&roomId=${inScope.roomId}`}`,
      q,
      (words) => (from, rows, wanted) => walkMessagesQuery(inScope, words, from, wanted, rows),
      (words) => messagesMatchingQuery(inScope, words, undefined, limit),
      goalMs,
    );
  /** `viewerId`: the searcher's statements, which leave out whom they block and are blocked by. */
  const postCase = (subject: string, q: (i: number) => string, goalMs?: number, viewerId?: number) =>
    walkedCase(
      postsScenario,
      subject,
      (words) => `${users.url}/posts/search?q=${encodeURIComponent(words)}&limit=${PAGE_SIZE}`,
      q,
      (words) => (from, rows, wanted) => walkPostsQuery(words, from, wanted, rows, viewerId),
      (words) => postsMatchingQuery(words, undefined, limit, viewerId),
      goalMs,
    );
  const names = data.sampleNames;
  const prefixOf = (i: number) => names[i % names.length]!.slice(0, 4);
  const nameCase = (subject: string, q: (i: number) => string): SearchCase => ({
    scenario: usersScenario,
    subject,
    url: (i) => `${users.url}/users/search?q=${encodeURIComponent(q(i))}&limit=${PAGE_SIZE}`,
    raw: (i) => runSql(raw, usersByPrefixQuery(q(i).toLowerCase(), '', limit)),
    // The service also looks inside names when fewer than a page start with q (a whole name, mostly).
    baseline: 'the prefix statement alone',
    goalMs: NAME_GOAL_MS,
    plans: [usersByPrefixQuery(q(0).toLowerCase(), '', limit)],
  });

  try {
    const rows: ResultRow[] = [];
    const band = (word: { word: string; share: number }) => `a word in ${word.share * 100}% of`;
    const cases: Array<[SearchCase, string | undefined]> = [
      [messageCase(`GET /ws/search, a rare word (${RARE_HITS} messages)`, rare, scope, RARE_GOAL_MS), token],
      [messageCase(`GET /ws/search, a word in 10% of messages, first page`, () => COMMON_WORD, scope, COMMON_GOAL_MS), token],
      ...BAND_WORDS.map((w): [SearchCase, string] => [messageCase(`GET /ws/search, ${band(w)} messages, first page`, () => w.word, scope), token]),
      [messageCase(`GET /ws/search, a word in 10% of messages, in one private room`, () => COMMON_WORD, { ...scope, roomId: data.searcherRoom }, COMMON_GOAL_MS), token],
      [postCase(`GET /posts/search, a rare word (${RARE_HITS} posts)`, rare, RARE_GOAL_MS), undefined],
      [postCase(`GET /posts/search, a word in 10% of posts, first page`, () => COMMON_WORD, COMMON_GOAL_MS), undefined],
      [nameCase('GET /users/search, the first 4 letters of a username', prefixOf), undefined],
      [nameCase('GET /users/search, a whole username', (i) => names[i % names.length]!), undefined],
    ];
    const measureCases = async (list: Array<[SearchCase, string | undefined]>) => {
      for (const [c, caseToken] of list) {
        const service = c.url(0).startsWith(ws.url) ? ws : users;
        rows.push(...(await measure(agent, service.pid, caseToken, raw, c, options.requests)));
        if (c.path) rows.at(-2)!.notes!.push(`served by ${PATHS[await c.path()]}`);
      }
    };
    await measureCases(cases);
    // The same common words for a searcher who blocks and mutes SAFETY_RELATIONS authors.
    const kept = await blockAndMuteAuthors(env, data.searcher.id, SAFETY_RELATIONS);
    const apart = `, the searcher blocking ${count(kept.blocked)} authors and muting ${count(kept.muted)}`;
    await measureCases([
      [messageCase(`GET /ws/search, a word in 10% of messages, first page${apart}`, () => COMMON_WORD, scope, COMMON_GOAL_MS), token],
      [postCase(`GET /posts/search, a word in 10% of posts, first page${apart}`, () => COMMON_WORD, COMMON_GOAL_MS, data.searcher.id), token],
    ]);
    // What the walk saves: the common word's matches, all of them through the index, then the newest page.
    const plain = summarize(await timeRuns(() => runSql(raw, messagesMatchingQuery(scope, COMMON_WORD, undefined, limit)), options.plainRuns));
    const walked = rows.find((r) => r.subject.includes('10% of messages, first page') && r.subject.startsWith('baseline'))!;
    rows.push({
      scenario: messagesScenario,
      subject: 'reference: every match of the 10% word through the index, then the newest page (raw pg)',
      ...latencyColumns(plain),
      ratio: plain.p50Ms / walked.p50Ms!,
      ratioOf: 'p50 vs the walk, raw pg',
      notes: [`${options.plainRuns} runs`],
    });
    rows.push(...(await indexSizes(env, 'search: index size', data.counts)));
    console.log(`search scenario: ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
    return rows;
  } finally {
    await raw.end();
    agent.destroy();
    await users.stop();
    await ws.stop();
  }
}
