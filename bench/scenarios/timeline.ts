/**
 * Timeline read: GET /timeline over HTTP against the very same SQL run through raw `pg`, on a
 * database of many posts where the reader follows many accounts. Also prints the plan.
 */
import pg from 'pg';
import { PgDialect } from 'drizzle-orm/pg-core';
import { homeTimelineQuery as timelineQuery } from '@murmur/user-service/timeline-query';
import type { BenchEnv } from '../lib/bench-env.js';
import { createAgent, expectStatus } from '../lib/http-client.js';
import { cpuSeconds, peakRssMiB } from '../lib/process-stats.js';
import type { ResultRow } from '../lib/report.js';
import { summarize } from '../lib/stats.js';

export interface TimelineOptions {
  posts: number;
  authors: number;
  followed: number;
  requests: number;
}

const PAGE_SIZE = 20;
const WARMUP_REQUESTS = 100;

export async function timelineScenario(env: BenchEnv, options: TimelineOptions): Promise<ResultRow[]> {
  const scenario = `timeline (${options.posts.toLocaleString('en')} posts, follows ${options.followed})`;
  const [reader] = await env.bulkUsers('reader', 1);
  const authors = await env.bulkUsers('author', options.authors);
  const firstAuthorId = authors[0]!.id;
  // Follow every (authors/followed)-th author, so followed posts are spread through the table.
  const stride = Math.max(1, Math.floor(options.authors / options.followed));
  await env.pool.query(
    `INSERT INTO follows (follower_id, followee_id)
     SELECT $1, $2::int + (i * $3::int) FROM generate_series(0, $4::int - 1) AS i`,
    [reader!.id, firstAuthorId, stride, options.followed],
  );
  // One bulk statement; posts cycle through authors, so every author has posts at every age.
  await env.pool.query(
    `INSERT INTO posts (author_id, text, created_at)
     SELECT $1::int + (i % $2::int), 'bench post number ' || i, now() - make_interval(secs => $3::int - i)
     FROM generate_series(1, $3::int) AS i`,
    [firstAuthorId, options.authors, options.posts],
  );
  await env.pool.query('ANALYZE');

  const token = await env.issueToken(reader!);
  const service = await env.startService('user-service');
  const agent = createAgent(1);
  const headers = { authorization: `Bearer ${token}` };
  const url = `${service.url}/timeline?limit=${PAGE_SIZE}`;

  const query = new PgDialect().sqlToQuery(timelineQuery(reader!.id, { limit: PAGE_SIZE }));
  const client = new pg.Client({ connectionString: env.databaseUrl });
  await client.connect();
  const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.params)).rows
    .map((r) => r['QUERY PLAN'])
    .join('\n');
  console.log(`timeline plan:\n${plan}\n`);
  const seqScanOnPosts = /Seq Scan on posts/.test(plan);

  const measure = async (run: () => Promise<unknown>, count: number) => {
    const latencies: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const t0 = performance.now();
      await run();
      latencies.push(performance.now() - t0);
    }
    return latencies;
  };
  const viaHttp = () => expectStatus(200, agent, 'GET', url, headers);
  const viaPg = () => client.query(query.sql, query.params);

  await measure(viaHttp, WARMUP_REQUESTS);
  await measure(viaPg, WARMUP_REQUESTS);
  const cpuBefore = cpuSeconds(service.pid);
  const httpStarted = performance.now();
  const http = summarize(await measure(viaHttp, options.requests));
  const httpElapsedS = (performance.now() - httpStarted) / 1000;
  const cpu = cpuSeconds(service.pid) - cpuBefore;
  const rawStarted = performance.now();
  const raw = summarize(await measure(viaPg, options.requests));
  const rawElapsedS = (performance.now() - rawStarted) / 1000;
  const peakRss = peakRssMiB(service.pid);
  await client.end();
  agent.destroy();
  await service.stop();

  const ratio = http.p99Ms / raw.p99Ms;
  return [
    {
      scenario,
      subject: 'murmur GET /timeline',
      throughputPerSecond: http.count / httpElapsedS,
      unit: 'req/s',
      p50Ms: http.p50Ms,
      p99Ms: http.p99Ms,
      cpuSeconds: cpu,
      peakRssMiB: peakRss,
      ratio,
      ratioOf: 'p99 vs raw pg',
      goal: 'p99 ≤ 20 ms, ≤ 1.5× raw, no seq scan on posts',
      goalMet: http.p99Ms <= 20 && ratio <= 1.5 && !seqScanOnPosts,
      notes: seqScanOnPosts ? ['the plan has a sequential scan of posts'] : ['plan: indexed, no sequential scan of posts'],
    },
    {
      scenario,
      subject: 'baseline: same SQL, raw pg',
      throughputPerSecond: raw.count / rawElapsedS,
      unit: 'req/s',
      p50Ms: raw.p50Ms,
      p99Ms: raw.p99Ms,
    },
  ];
}
