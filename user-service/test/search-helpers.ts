/** What user-service's search tests share beyond `freshWord` and `ROOMY_SEARCH_LIMITS` (@murmur/shared/testing). */
import type { Database } from '@murmur/shared/db';

/** How many statements whose text starts with `start` run now in the test database. */
export async function runningStatements(pool: Database['pool'], start: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND starts_with(query, $1)`,
    [start],
  );
  return rows[0]!.n;
}
