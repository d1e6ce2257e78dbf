/**
 * A fan-out interrupted by a stop or a crash of user-service finishes after a restart. Each test
 * uses a queue of its own, so no other test's instance can finish the work for it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { api, eventually, testDatabaseUrl, testEnv, uniqueName } from '@murmur/shared/testing';
import { registerUser, startAuthService, type AuthUnderTest, type RegisteredUser } from '@murmur/auth-service/testing';
import { startUserService } from './helpers.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const FOLLOWERS = 150;

/**
 * Every follower served by jobs, one per step, and a crashed step handed out again after 2 s, so
 * a walk is long and recovery quick.
 */
const recoveryEnv = () => ({
  TIMELINE_JOB_QUEUE: uniqueName('timeline').toLowerCase(),
  TIMELINE_INLINE_FOLLOWERS: '0',
  TIMELINE_WORKERS: '1',
  TIMELINE_FANOUT_BATCH_SIZE: '1',
  TIMELINE_JOB_EXPIRE_SECONDS: '2',
  TIMELINE_JOB_SUPERVISE_SECONDS: '1',
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** user-service as a process of its own, so the test can kill it outright. */
async function spawnUserService(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], { env: testEnv({ ...env, PORT: String(port) }), stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => assert.equal((await api(url, 'GET', '/healthz')).status, 200), 15_000);
  return { url, child };
}

describe('a fan-out interrupted by user-service going away', () => {
  let auth: AuthUnderTest;
  let db: pg.Pool;
  before(async () => {
    auth = await startAuthService();
    db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  });
  after(async () => {
    await db.end();
    await auth.close();
  });

  /** An author with FOLLOWERS followers, made in bulk. */
  async function authorWithFollowers(): Promise<RegisteredUser> {
    const author = await registerUser(auth.url);
    await db.query(
      `WITH made AS (
         INSERT INTO users (username, email, password_hash)
         SELECT $2 || i, $2 || i || '@example.test', 'not-a-hash' FROM generate_series(1, $3::int) AS i RETURNING id
       )
       INSERT INTO follows (follower_id, followee_id) SELECT id, $1 FROM made`,
      [author.id, uniqueName('f'), FOLLOWERS],
    );
    return author;
  }
  const delivered = async (postId: number) =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM home_feed WHERE post_id = $1', [postId])).rows[0]!.n);
  const post = async (url: string, author: RegisteredUser) => {
    const res = await api(url, 'POST', '/posts', { token: author.token, body: { text: 'to every follower' } });
    assert.equal(res.status, 201);
    return res.body.id as number;
  };
  /** Waits until the walk has reached some followers, but not all: it is under way. */
  const underWay = (postId: number) => eventually(async () => assert.ok((await delivered(postId)) > 1), 10_000);

  it('finishes after a crash (SIGKILL) once the crashed step expires', async () => {
    const env = recoveryEnv();
    const author = await authorWithFollowers();
    const first = await spawnUserService(env);
    const postId = await post(first.url, author);
    await underWay(postId);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    const atCrash = await delivered(postId);
    assert.ok(atCrash < FOLLOWERS + 1, `the crash interrupted the walk (${atCrash} rows)`);

    const second = await spawnUserService(env);
    try {
      await eventually(async () => assert.equal(await delivered(postId), FOLLOWERS + 1), 30_000);
    } finally {
      second.child.kill('SIGTERM');
    }
  });

  it('finishes after a clean stop, from where it stopped', async () => {
    const env = recoveryEnv();
    const author = await authorWithFollowers();
    const first = await startUserService(env);
    const postId = await post(first.url, author);
    await underWay(postId);
    await first.close();
    const atStop = await delivered(postId);
    assert.ok(atStop < FOLLOWERS + 1, `the stop interrupted the walk (${atStop} rows)`);

    const second = await startUserService(env);
    try {
      await eventually(async () => assert.equal(await delivered(postId), FOLLOWERS + 1), 10_000);
      const metrics = await (await fetch(`${second.url}/metrics`)).text();
      const completed = /^jobs_run_total\{[^}]*outcome="completed"[^}]*\} (\d+)/m.exec(metrics);
      assert.ok(Number(completed?.[1]) > 0, 'the restarted instance counts the steps it ran');
    } finally {
      await second.close();
    }
  });
});
