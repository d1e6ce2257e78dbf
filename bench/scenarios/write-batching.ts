/**
 * The trade-off behind ws-service's group commit: how long a batch of messages lingers for more
 * (WS_WRITE_LINGER_MS) against what each stored message then costs PostgreSQL and how long its
 * delivery takes, at each many-rooms rate. The same load as the many-rooms scenario, murmur only,
 * once per linger; each row's notes say how the messages were batched, read from the database
 * (the messages of one INSERT share its transaction's time).
 */
import type { BenchEnv } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';
import { manyRoomsTitle, measureManyRooms, type ManyRoomsOptions } from './many-rooms.js';

export async function writeBatchingScenario(env: BenchEnv, options: ManyRoomsOptions, lingersMs: number[]): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  // The idle phase only sets the baseline the CPU figures are taken above; a short one will do.
  const load: ManyRoomsOptions = { ...options, idleMs: Math.min(options.idleMs, 5_000), bunchedPerSecond: 0 };
  for (const lingerMs of lingersMs) {
    const subject = `murmur ws-service, WS_WRITE_LINGER_MS=${lingerMs}`;
    const run = await measureManyRooms(env, 'murmur', load, { scenario: (rate) => `write batching: ${manyRoomsTitle(options, rate)}`, subject }, { instances: 1, env: { WS_WRITE_LINGER_MS: String(lingerMs) } });
    for (const rate of options.ratesPerSecond) {
      const { row, figures } = run.byRate.get(rate)!;
      const postgresUs = figures.postgresAboveIdlePerMessageUs ?? figures.postgresPerMessageUs ?? Number.NaN;
      row.notes!.unshift(`linger ${lingerMs} ms: PostgreSQL ${postgresUs.toFixed(1)} µs per stored message (above idle), delivery p99 ${(row.p99Ms ?? Number.NaN).toFixed(1)} ms`);
      rows.push(row);
    }
  }
  return rows;
}
