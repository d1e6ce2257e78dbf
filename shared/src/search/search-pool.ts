/**
 * The search pool: a few connections of its own, so searches, however many and however slow,
 * never take the connections that chat and posting need. Each search runs on one connection and
 * within one deadline, its wait for the connection and all its statements included: every
 * statement runs under a `statement_timeout` no longer than what is left of the deadline, so
 * PostgreSQL itself stops a search that runs over and the connection is free again at once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { errorChain, openDatabase, pgErrorOf, type Db } from '../db/client.js';
import * as schema from '../db/schema.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface SearchPoolOptions {
  url: string;
  logger: Logger;
  /** Connections, and so searches running at once (SEARCH_POOL_SIZE). */
  size: number;
  /** How long one search may take, from its start (SEARCH_TIMEOUT_MS). */
  timeoutMs: number;
  /** How long a search waits for a free connection before it is refused as busy (SEARCH_QUEUE_TIMEOUT_MS). */
  queueTimeoutMs: number;
}

export interface SearchPool {
  /**
   * Runs one search: `work` sends its statements through `db` (and only through it) on a
   * connection of the pool, within the deadline. Past the deadline it fails with 503
   * `SEARCH_TIMEOUT`; when no connection frees up in time, with 503 `SEARCH_BUSY`.
   */
  run<T>(work: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The SQLSTATE of a statement PostgreSQL cancelled: here, always for its statement_timeout. */
const QUERY_CANCELED = '57014';
/**
 * How much longer than its statement_timeout the driver waits for a statement: a server that
 * does not cancel it by then is hung, and the connection is dropped.
 */
const HUNG_SERVER_GRACE_MS = 100;
/**
 * Statement timeouts are set in steps of this many milliseconds, rounded down from what is left of
 * the search: a search that ends within a step sends no SET at all (a round trip saved on every
 * statement, a fifth of a cheap search's CPU), and a statement may be stopped up to one step
 * before the deadline, never after it.
 */
const TIMEOUT_STEP_MS = 50;
/** Retry-After of a busy pool: searches last milliseconds, so one frees up soon. */
const BUSY_RETRY_AFTER_SECONDS = 1;
/** Retry-After of a search that ran out of time: the same search needs the database quieter. */
const TIMEOUT_RETRY_AFTER_SECONDS = 5;

/** A search holding its connection: the statements `work` sends go there. */
interface RunningSearch {
  client: pg.PoolClient;
  /** performance.now() at which the search must be over. */
  deadline: number;
}

export function openSearchPool(options: SearchPoolOptions): SearchPool {
  const { pool } = openDatabase({
    url: options.url,
    logger: options.logger,
    maxConnections: options.size,
    queryTimeoutMs: options.timeoutMs,
    connectionTimeoutMs: options.queueTimeoutMs,
  });
  const timedOut = () =>
    new AppError(503, 'SEARCH_TIMEOUT', `the search took longer than ${options.timeoutMs} ms and was stopped; try fewer or rarer words`, {
      'Retry-After': String(TIMEOUT_RETRY_AFTER_SECONDS),
    });
  const busy = () =>
    new AppError(503, 'SEARCH_BUSY', `all ${options.size} search connections are taken; try again shortly`, {
      'Retry-After': String(BUSY_RETRY_AFTER_SECONDS),
    });

  const running = new AsyncLocalStorage<RunningSearch>();
  /** The statement_timeout each connection has now, as this pool last set it. */
  const statementTimeouts = new WeakMap<pg.PoolClient, number>();
  /** pg's `query`, as drizzle and the repositories call it, sent for the search running here. */
  const query = async (config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> => {
    const search = running.getStore();
    if (!search) throw new Error('a statement on the search pool outside SearchPool.run');
    const leftMs = Math.floor(search.deadline - performance.now());
    if (leftMs < 1) throw timedOut();
    const timeoutMs = leftMs > TIMEOUT_STEP_MS ? leftMs - (leftMs % TIMEOUT_STEP_MS) : leftMs;
    if (statementTimeouts.get(search.client) !== timeoutMs) {
      await search.client.query(`SET statement_timeout = ${timeoutMs}`);
      statementTimeouts.set(search.client, timeoutMs);
    }
    const statement = typeof config === 'string' ? { text: config } : config;
    return search.client.query({ ...statement, query_timeout: timeoutMs + HUNG_SERVER_GRACE_MS } as pg.QueryConfig, values);
  };
  // One client for every search, built once (drizzle's schema setup costs ~0.2 ms): its `query`
  // finds the connection of the search it runs for. It is no pool, but drizzle and the
  // repositories only ever call `query` on it, since a search opens no transaction.
  const db = drizzle({ query } as unknown as pg.Pool, { schema });

  const connect = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (err) {
      // A full pool means the wait ran out: busy. Otherwise the server could not be reached,
      // an outage, which the error handler answers as such.
      if (pool.totalCount >= options.size) throw busy();
      throw err;
    }
  };

  /** Runs `work` on `client` and gives the connection back once it is done, whenever that is. */
  const runOn = async <T>(client: pg.PoolClient, deadline: number, work: (db: Db) => Promise<T>): Promise<T> => {
    let broken: Error | undefined;
    try {
      // Awaited inside: drizzle's queries are lazy thenables, sent only when awaited, and the
      // search they belong to is known only within running.run.
      return await running.run({ client, deadline }, async () => await work(db));
    } catch (err) {
      // drizzle wraps what a statement threw, the deadline's own AppError included.
      const refusal = [...errorChain(err)].find((cause) => cause instanceof AppError);
      if (refusal) throw refusal;
      if (pgErrorOf(err)?.code === QUERY_CANCELED) throw timedOut();
      // A statement that failed with no SQLSTATE lost its connection or gave up on a hung
      // server: that connection is dropped, never handed to the next search.
      if (pgErrorOf(err) === undefined) broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(broken);
    }
  };

  return {
    async run(work) {
      const deadline = performance.now() + options.timeoutMs;
      const client = await connect();
      const search = runOn(client, deadline, work);
      // The answer never waits past the deadline, even for a server slow to cancel the
      // statement (under load its cancellation can come late): the search answers SEARCH_TIMEOUT
      // then, and its connection goes back to the pool when the statement has stopped.
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(timedOut()), Math.max(0, deadline - performance.now()));
      });
      search.catch(() => undefined); // settled after the deadline answered: nobody is waiting
      try {
        return await Promise.race([search, expired]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => pool.end(),
  };
}
