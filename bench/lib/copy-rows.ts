/**
 * Bulk loading with COPY: rows generated here stream into PostgreSQL as one statement, so ten
 * million posts load in about the time the server needs to store them, with no round trip per
 * row and no limit on parameters.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A column's value; null is SQL NULL. */
export type CopyValue = string | number | Date | null;

/** Rows are sent in chunks of this many lines: one stream write per row would cost more than the row. */
const ROWS_PER_CHUNK = 2_000;

/** A value in COPY's text format: backslash, tab and line breaks escaped. */
function copyText(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : value;
}

function* copyChunks(rows: Iterable<readonly CopyValue[]>): Generator<string> {
  let chunk: string[] = [];
  for (const row of rows) {
    chunk.push(`${row.map(copyText).join('\t')}\n`);
    if (chunk.length === ROWS_PER_CHUNK) {
      yield chunk.join('');
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('');
}

export interface CopyOptions {
  /**
   * The rows are valid by construction (e.g. every author was just made): skip the foreign-key
   * checks, as pg_restore does. Each is a trigger call per row that takes more than half of a
   * big load's time. Takes effect for a superuser only (the local and embedded servers); others
   * load with the checks.
   */
  trustForeignKeys?: boolean;
}

/** Streams `rows` into `table` (`columns` in the rows' order) with one COPY; resolves the rows stored. */
export async function copyRows(
  pool: pg.Pool,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly CopyValue[]>,
  options: CopyOptions = {},
): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (options.trustForeignKeys && (await isSuperuser(client))) await client.query('SET LOCAL session_replication_role = replica');
    const copy = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(copyChunks(rows)), copy);
    await client.query('COMMIT');
    return copy.rowCount;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Whether a load with `trustForeignKeys` skips the tables' triggers too (it does for a superuser):
 * then rows that counting triggers would have counted (likes, replies, reposts) must come with
 * their counts already in them; otherwise the triggers count them and the counts must load as 0.
 */
export async function trustedLoadSkipsTriggers(pool: pg.Pool): Promise<boolean> {
  const client = await pool.connect();
  try {
    return await isSuperuser(client);
  } finally {
    client.release();
  }
}

async function isSuperuser(client: pg.PoolClient | pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ superuser: boolean }>("SELECT current_setting('is_superuser') = 'on' AS superuser");
  return rows[0]!.superuser;
}

/**
 * The last id `table`'s identity column handed out (0 if none yet). One COPY into a table that
 * nothing else writes meanwhile numbers its rows from this + 1 in the rows' order, so rows later
 * in the same load (a reply, a repost, a like) can name earlier ones by id; checkIdentityRange
 * confirms it afterwards.
 */
export async function lastIdentity(pool: pg.Pool, table: string): Promise<number> {
  const { rows } = await pool.query<{ last: string | null }>("SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass) AS last", [table]);
  return Number(rows[0]!.last ?? 0);
}

/** Throws unless the `count` rows loaded after `last` took ids last + 1 … last + count. */
export async function checkIdentityRange(pool: pg.Pool, table: string, last: number, count: number): Promise<void> {
  const { rows } = await pool.query<{ max: string | null }>(`SELECT max(id) AS max FROM ${table}`);
  if (Number(rows[0]!.max) !== last + count) throw new Error(`${table}: the load took ids up to ${rows[0]!.max}, not ${last + 1} … ${last + count}; something else wrote the table meanwhile`);
}
