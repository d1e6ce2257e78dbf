import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../scripts/repo-paths.js';
import { PRODUCTION_NGINX_SUBJECT, STATIC_NGINX_SUBJECT } from '../scenarios/media-serving.js';
import { TWO_INSTANCES_SUBJECT } from '../scenarios/two-instances.js';
import { BLOCKS_SUBJECT } from '../scenarios/many-rooms-blocks.js';

/** The test runner sets TEST_REDIS_URL when a Redis answers (always in CI); the two-instance rows need it. */
const redisUrl = process.env.TEST_REDIS_URL;
/** …and TEST_NGINX when nginx is installed (always in CI); the rows of pictures served by nginx need it. */
const nginx = process.env.TEST_NGINX;

/** Keeps `npm run bench` from rotting: the quick run must finish and report every row. No speed is asserted. */
describe('npm run bench -- --quick', () => {
  it('runs every scenario against its baseline and writes the results', async () => {
    let output = '';
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist-tools/bench/run.js'), '--quick'], {
        env: {
          ...process.env,
          BENCH_DATABASE_URL: process.env.DATABASE_URL,
          ...(redisUrl ? { BENCH_REDIS_URL: redisUrl } : {}),
          ...(nginx ? { BENCH_NGINX: nginx } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('exit', resolve);
    });
    assert.equal(code, 0, output);
    const file = /results written to (\S+)/.exec(output)?.[1];
    assert.ok(file, output);
    const results = JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
    const subjects = results.rows.map((r: { subject: string }) => r.subject).join('\n');
    for (const expected of [
      'murmur verifyToken',
      'jsonwebtoken.verify',
      'murmur POST /login',
      'raw bcrypt.compare',
      'murmur POST /follow',
      'HTTP floor: GET /healthz',
      'INSERT … ON CONFLICT, raw pg',
      'murmur GET /timeline',
      'same SQL, raw pg',
      'murmur GET /timeline, page 5',
      "reference: the previous design's pull query",
      'murmur POST /follow, a new follow',
      'murmur backfill',
      'INSERT INTO follows, raw pg',
      'murmur POST /posts, author with',
      "murmur fan-out: the post in every follower's timeline",
      'murmur fan-out, while ordinary authors post',
      'murmur POST /posts, ordinary authors during fan-outs',
      'murmur POST /posts, ordinary authors, no fan-out running',
      'INSERT … SELECT FROM follows, raw pg',
      'murmur GET /posts/:id/replies, first page',
      'murmur GET /posts/:id/replies, page 10',
      'baseline: same SQL, raw pg (GET /posts/:id/replies',
      'murmur GET /posts/:id/ancestors',
      'murmur GET /posts/:id',
      'murmur PUT /posts/:id/like',
      'baseline: the plain INSERT (trigger included), raw pg',
      'murmur GET /tags/trending',
      'background recomputation: mostUsedTags',
      'murmur GET /ws/search, a rare word',
      'murmur GET /ws/search, a word in 10% of messages, first page',
      'murmur GET /posts/search, a rare word',
      'murmur GET /users/search, the first 4 letters of a username',
      'baseline: same SQL, raw pg (GET /ws/search',
      'reference: every match of the 10% word through the index',
      'messages_text_search_idx: ',
      'clients sending adversarial searches in a loop meanwhile',
      'baseline: murmur ws-service, nobody searching',
      'clients asking it GET /healthz in a loop meanwhile',
      'GET /ws/search, nothing every match must hold',
      'GET /ws/search, a phrase of two common words',
      "GET /ws/search, a person's search meanwhile: a rare word",
      'murmur ws-service (stores every message)',
      'socket.io rooms',
      'bare ws broadcast loop',
      'bare ws server',
      'floor: bare ws server with rooms',
      'floor for PostgreSQL: raw pg, one INSERT and one commit per message',
      'murmur ws-service, WS_WRITE_LINGER_MS=0',
      'murmur ws-service, with read markers',
      'murmur ws-service (until history)',
      'baseline: bare ws server (until open)',
      'murmur /ws/stream: messages to the members who have the room open',
      'murmur /ws/stream: room_activity to the members who have another room open',
      'baseline: /ws/joinRoom, one socket per person in the open room',
      "murmur timeline event on every follower's stream",
      "baseline: the post in the last follower's home_feed",
      'murmur notification on the stream after a like',
      'murmur notification on the stream after a chat mention',
      'murmur POST /media, 20 clients, 12-MP JPEG',
      'GET /users/:id and GET /timeline on user-service during the uploads',
      'baseline: the same requests, no upload running',
      'floor: the same image work in-process (sharp,',
      'murmur development gateway (gateway/src) → user-service, GET /media/<file>',
      'murmur user-service itself, GET /media/<file>',
      'GET /posts/search, a word in 10% of posts, first page, the searcher blocking',
      'GET /ws/search, a word in 10% of messages, first page, the searcher blocking',
      BLOCKS_SUBJECT,
      'baseline: murmur ws-service, nobody blocking anyone',
      'murmur GET /timeline, first page, 1,000 blocks and 1,000 mutes',
      'baseline: same SQL, raw pg, first page, 1,000 blocks and 1,000 mutes',
      'baseline: murmur GET /timeline, first page, no blocks or mutes',
      'murmur GET /timeline, first page, 4 pictures on every post',
      'baseline: same SQL, raw pg, first page, 4 pictures on every post',
      'baseline: murmur GET /timeline, first page, no pictures',
      ...(redisUrl ? [TWO_INSTANCES_SUBJECT, 'baseline: one ws-service instance, same load'] : []),
      ...(nginx ? [PRODUCTION_NGINX_SUBJECT, STATIC_NGINX_SUBJECT] : []),
    ]) {
      assert.ok(subjects.includes(expected), `missing row: ${expected}`);
    }
  });
});
