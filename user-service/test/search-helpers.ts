/** What the search tests share. */
import { randomBytes } from 'node:crypto';
import type { Database } from '@murmur/shared/db';

/** A word no other test writes: letters only, so it is one word to the search. */
export const freshWord = () => `w${randomBytes(6).toString('hex').replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}`;

/** Rate limits raised for tests that search faster than a person does; search-guards tests the limits. */
export const ROOMY_LIMITS = { SEARCH_MAX_PER_MINUTE_PER_ACCOUNT: '100000', SEARCH_MAX_PER_MINUTE_PER_ADDRESS: '100000' };

/** How many statements whose text starts with `start` run now in the test database. */
export async function runningStatements(pool: Database['pool'], start: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND starts_with(query, $1)`,
    [start],
  );
  return rows[0]!.n;
}
