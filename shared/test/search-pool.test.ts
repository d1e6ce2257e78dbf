import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { errorChain, type Db } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { AppError } from '../src/errors.js';
import { openSearchPool, type SearchPool, type SearchPoolOptions } from '../src/search/search-pool.js';
import { testDatabaseUrl } from '../src/testing.js';

describe('the search pool', () => {
  const pools: SearchPool[] = [];
  const open = (options: Partial<SearchPoolOptions>) => {
    const pool = openSearchPool({ url: testDatabaseUrl(), logger: createLogger('test', 'silent'), size: 1, timeoutMs: 1_000, queueTimeoutMs: 50, ...options });
    pools.push(pool);
    return pool;
  };
  after(() => Promise.all(pools.map((pool) => pool.close())));

  /** How `work` ended on `pool`: its value or its error, and after how many ms. */
  const outcome = async <T>(pool: SearchPool, work: (db: Db) => Promise<T>) => {
    const started = performance.now();
    let value: T | undefined;
    let error: unknown;
    try {
      value = await pool.run(work);
    } catch (err) {
      error = err;
    }
    return { value, error, ms: performance.now() - started };
  };
  const isCode = (code: string) => (err: unknown) => err instanceof AppError && err.status === 503 && err.code === code && Number(err.headers['Retry-After']) > 0;

  it("holds a search's statements to one deadline between them, and hands its connection to the next search", async () => {
    const pool = open({ timeoutMs: 500 });
    const sleeps: number[] = [];
    const { error, ms } = await outcome(pool, async (db) => {
      for (let i = 0; i < 3; i += 1) {
        await db.execute(sql`SELECT pg_sleep(0.2)`);
        sleeps.push(i);
      }
    });
    assert.ok(isCode('SEARCH_TIMEOUT')(error), String(error));
    assert.deepEqual(sleeps, [0, 1], 'the third statement was stopped: each alone was within the deadline');
    assert.ok(ms >= 400 && ms < 700, `stopped after ${ms} ms`);
    const next = await outcome(pool, async (db) => (await db.execute<{ one: number }>(sql`SELECT 1 AS one`)).rows);
    assert.deepEqual(next.value, [{ one: 1 }]);
  });

  it('answers SEARCH_TIMEOUT at the deadline, and refuses a statement the search sends after it', async () => {
    const pool = open({ timeoutMs: 100 });
    let answered!: () => void;
    const deadlineAnswered = new Promise<void>((resolve) => (answered = resolve));
    let lateStatement: unknown;
    const search = outcome(pool, async (db) => {
      // Still running when the search has been answered: its next statement comes too late.
      await deadlineAnswered;
      try {
        await db.execute(sql`SELECT 1`);
      } catch (err) {
        lateStatement = err;
      }
    });
    const { error } = await search;
    answered();
    assert.ok(isCode('SEARCH_TIMEOUT')(error), String(error));
    await pool.run(async (db) => db.execute(sql`SELECT 1`)); // the connection came back: the late statement ended
    // drizzle wraps what the statement threw.
    assert.ok([...errorChain(lateStatement)].some(isCode('SEARCH_TIMEOUT')), String(lateStatement));
  });

  it('answers SEARCH_BUSY once a search has waited SEARCH_QUEUE_TIMEOUT_MS for a connection', async () => {
    const pool = open({ queueTimeoutMs: 50 });
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const holds = new Promise<void>((resolve) => (started = resolve));
    const held = pool.run(async (db) => {
      await db.execute(sql`SELECT 1`);
      started();
      await holding;
    });
    await holds;
    const { error, ms } = await outcome(pool, async (db) => db.execute(sql`SELECT 1`));
    assert.ok(isCode('SEARCH_BUSY')(error), String(error));
    assert.ok(ms >= 40 && ms < 500, `refused after ${ms} ms`);
    release();
    await held;
  });

  it('refuses a statement sent outside a search', async () => {
    const pool = open({});
    let escaped: Db | undefined;
    await pool.run(async (db) => {
      escaped = db;
      await db.execute(sql`SELECT 1`);
    });
    await assert.rejects(async () => escaped!.execute(sql`SELECT 1`), (err: Error) => /outside SearchPool.run/.test(String(err.cause)));
  });
});
