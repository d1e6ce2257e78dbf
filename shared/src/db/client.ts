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
  /** A query running longer than this is cancelled by the server. */
  statementTimeoutMs?: number;
  /** How long to wait for a free connection or a TCP connect before failing the request. */
  connectionTimeoutMs?: number;
}

export interface Database {
  pool: pg.Pool;
  db: Db;
  /** Resolves true when a trivial query succeeds; used by /readyz. */
  isReachable(): Promise<boolean>;
  close(): Promise<void>;
}

// Bigint columns (COUNT(*)) arrive as strings by default; counts here always fit a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export function openDatabase(options: DbOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    application_name: 'murmur',
  });
  // An idle client that loses its connection (database restart) emits 'error' on the pool;
  // without a listener that would crash the process.
  pool.on('error', (err) => options.logger.warn({ err }, 'idle database connection lost'));

  const db = drizzle(pool, { schema });

  return {
    pool,
    db,
    async isReachable() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** The SQLSTATE PostgreSQL uses for a unique-constraint violation. */
export const UNIQUE_VIOLATION = '23505';
/** The SQLSTATE PostgreSQL uses for a foreign-key violation. */
export const FOREIGN_KEY_VIOLATION = '23503';

/**
 * True for an error that the data of one statement caused (SQLSTATE class 23, integrity
 * constraint violation), as opposed to the database being unreachable or overloaded.
 */
export function isIntegrityViolation(err: unknown): boolean {
  return pgErrorOf(err)?.code.startsWith('23') ?? false;
}

/** The constraint name of a PostgreSQL error, if it is one. */
export function pgErrorOf(err: unknown): { code: string; constraint?: string } | undefined {
  let current: unknown = err;
  // drizzle wraps driver errors; walk the cause chain to find the one from pg.
  for (let depth = 0; depth < 4 && current; depth += 1) {
    if (current instanceof Error && 'code' in current && typeof current.code === 'string') {
      const constraint = 'constraint' in current && typeof current.constraint === 'string' ? current.constraint : undefined;
      return { code: current.code, constraint };
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}
