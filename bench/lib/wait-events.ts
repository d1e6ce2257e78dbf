/**
 * What the database's backends wait on during a load, sampled from pg_stat_activity: where
 * concurrent writers queue (a row lock, a transaction, WAL) shows up as the share of samples.
 */
import type pg from 'pg';

export interface WaitSampler {
  /** Stops sampling; resolves "event: share of busy samples" for the most frequent events. */
  stop(): Promise<string>;
}

/** Samples every `intervalMs` on `client` (which must be otherwise idle) the backends of `database`. */
export function sampleWaits(client: pg.Client, database: string, intervalMs = 20): WaitSampler {
  const tally = new Map<string, number>();
  let busy = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ event: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS event FROM pg_stat_activity
         WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
        [database],
      );
      for (const { event } of rows) tally.set(event, (tally.get(event) ?? 0) + 1);
      busy += rows.length;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const top = [...tally].sort((a, b) => b[1] - a[1]).slice(0, 5);
      return top.map(([event, n]) => `${event} ${Math.round((n / Math.max(1, busy)) * 100)}%`).join(', ');
    },
  };
}
