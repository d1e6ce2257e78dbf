/**
 * Transactions that a job queue can join. pg-boss (user-service's durable jobs) takes any object
 * with `executeSql(text, values)`, and hands one to a job's handler; the same shape serves a
 * request's transaction here, so a write and the job it enqueues commit together or not at all.
 */
import type pg from 'pg';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

/** Runs SQL text with `$n` parameters: a pool, one transaction's connection, or a job's transaction. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

const dialect = new PgDialect();

/** Runs a drizzle `sql` query on `executor`; resolves its rows. */
export async function runSql<Row>(executor: SqlExecutor, query: SQL): Promise<Row[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await executor.executeSql(text, params)).rows as Row[];
}

/** `pool` as an executor: each statement on its own, outside any transaction. */
export function poolExecutor(pool: pg.Pool): SqlExecutor {
  return { executeSql: (text, values) => pool.query(text, values) };
}

/**
 * Runs `work` in one transaction on a connection of its own: committed when `work` resolves,
 * rolled back when it throws. A connection whose rollback fails is dropped, never reused.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work({ executeSql: (text, values) => client.query(text, values) });
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw err;
  } finally {
    client.release(broken);
  }
}
