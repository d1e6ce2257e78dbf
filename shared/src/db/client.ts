/**
 * The PostgreSQL pool and drizzle client every service uses. The pool never lets a dropped
 * connection crash the process, and every statement has a time limit.
 */
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema.js';
import type { Logger } from '../logger.js';

/** The drizzle client; `$client` is its pool, for the few hot queries sent as prepared statements. */
export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface DbOptions {
  url: string;
  logger: Logger;
  /** Upper bound on open connections; each service holds its own pool. */
  maxConnections?: number;
  /**
   * The client-side deadline of every query: past it the query fails here, whatever the server
   * does. A frozen or partitioned server cannot enforce its own statement_timeout.
   */
  queryTimeoutMs?: number;
  /** How long to wait for a free connection or a TCP connect before failing the request. */
  connectionTimeoutMs?: number;
  /** How long /readyz waits for the database before calling it down. */
  readyTimeoutMs?: number;
}

export interface Database {
  pool: pg.Pool;
  db: Db;
  /** Resolves true when a trivial query succeeds within the ready deadline; used by /readyz. */
  isReachable(): Promise<boolean>;
  close(): Promise<void>;
}

// Bigint columns (COUNT(*)) arrive as strings by default; counts here always fit a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export const DEFAULT_QUERY_TIMEOUT_MS = 5_000;
/** Connections a pool keeps open however long it is idle. */
const MIN_IDLE_CONNECTIONS = 2;
export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
export const DEFAULT_READY_TIMEOUT_MS = 1_000;

export function openDatabase(options: DbOptions): Database {
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    // Connections idle for idleTimeoutMillis close, but never the last two: a quiet spell would
    // otherwise make the next statement pay a new connection, its authentication, and the
    // planning of every prepared statement again.
    min: Math.min(MIN_IDLE_CONNECTIONS, options.maxConnections ?? 10),
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    query_timeout: queryTimeoutMs,
    // The server cancels a slow statement a little before the client gives up on it, so a live
    // server frees the connection cleanly; the client's deadline covers a server that hangs.
    statement_timeout: Math.max(1, queryTimeoutMs - 100),
    application_name: 'murmur',
  });
  // An idle client that loses its connection (database restart) emits 'error' on the pool;
  // without a listener that would crash the process.
  pool.on('error', (err) => options.logger.warn({ err }, 'idle database connection lost'));

  const db = drizzle(pool, { schema });

  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  // Probes asked for while one is in flight share it, so a burst of /readyz calls during an
  // outage holds at most one connection.
  let probe: Promise<boolean> | undefined;
  const probeOnce = () =>
    pool.query({ text: 'SELECT 1', query_timeout: readyTimeoutMs } as pg.QueryConfig).then(
      () => true,
      () => false,
    );

  return {
    pool,
    db,
    isReachable() {
      probe ??= deadline(probeOnce(), readyTimeoutMs, false).finally(() => (probe = undefined));
      return probe;
    },
    async close() {
      await pool.end();
    },
  };
}

/** `promise`, or `fallback` if it has not settled within `ms`. */
function deadline<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** The SQLSTATE PostgreSQL uses for a unique-constraint violation. */
export const UNIQUE_VIOLATION = '23505';
/** The SQLSTATE PostgreSQL uses for a foreign-key violation. */
export const FOREIGN_KEY_VIOLATION = '23503';
/** The SQLSTATE of a statement PostgreSQL cancelled to break a deadlock; running it again can succeed. */
export const DEADLOCK_DETECTED = '40P01';

/**
 * True for an error that the data of one statement caused (SQLSTATE class 23, integrity
 * constraint violation), as opposed to the database being unreachable or overloaded.
 */
export function isIntegrityViolation(err: unknown): boolean {
  return pgErrorOf(err)?.code.startsWith('23') ?? false;
}

/** `err` and the errors it wraps, outermost first: drizzle wraps the driver's errors in `cause`. */
export function* errorChain(err: unknown): Generator<Error> {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    yield current;
    current = current.cause;
  }
}

/** The constraint name of a PostgreSQL error, if it is one. */
export function pgErrorOf(err: unknown): { code: string; constraint?: string } | undefined {
  for (const current of errorChain(err)) {
    if ('code' in current && typeof current.code === 'string') {
      const constraint = 'constraint' in current && typeof current.constraint === 'string' ? current.constraint : undefined;
      return { code: current.code, constraint };
    }
  }
  return undefined;
}
