/**
 * The database's floor for storing chat messages: the same Poisson arrivals at the same rate,
 * each message stored by the plainest statement there is (one INSERT of one row into `messages`,
 * its seq counted by the client, its own commit) over one connection, one statement at a time, as
 * one ws-service writer sends them. What PostgreSQL spends per message here is what one stored
 * message costs it at that rate with nothing of murmur's around it: no room lock, no resend
 * lookup, no batching.
 */
import pg from 'pg';
import type { BenchEnv } from '../lib/bench-env.js';
import { coreShareSince, sendPoisson } from '../lib/client-timers.js';
import { postgresCpuByPid, postgresCpuSince } from '../lib/postgres-cpu.js';
import { percentile } from '../lib/stats.js';

const RAW_INSERT = 'INSERT INTO messages (room_id, seq, user_id, text) VALUES ($1, $2, $3, $4)';

export interface RawInsertsResult {
  messages: number;
  postgresPerMessageUs: number;
  /** The client's (this process's) CPU per message: the round trip's cost on the sending side. */
  clientPerMessageUs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Stores `perSecond` messages/s over `rooms` rooms for `durationMs`, one INSERT and one commit each. */
export async function rawMessageInserts(env: BenchEnv, options: { rooms: number; perSecond: number; durationMs: number }): Promise<RawInsertsResult> {
  const [author] = await env.bulkUsers(`raw${Date.now()}`, 1);
  const { rows } = await env.pool.query<{ id: number }>(
    "INSERT INTO rooms (name, created_by) SELECT 'raw ' || i, $1 FROM generate_series(1, $2) AS i RETURNING id",
    [author!.id, options.rooms],
  );
  const roomIds = rows.map((row) => row.id);
  const lastSeq = new Map<number, number>();
  const client = new pg.Client({ connectionString: env.databaseUrl });
  await client.connect();
  try {
    const latenciesMs: number[] = [];
    /** The statements go one after another on the one connection, each after the one before is answered. */
    let last: Promise<unknown> = Promise.resolve();
    const postgresBefore = postgresCpuByPid(env.databaseName);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const messages = await sendPoisson([client], options.perSecond, options.durationMs, () => {
      const roomId = roomIds[Math.floor(Math.random() * roomIds.length)]!;
      const seq = (lastSeq.get(roomId) ?? 0) + 1;
      lastSeq.set(roomId, seq);
      const due = performance.now();
      last = last
        .then(() => client.query({ name: 'bench_raw_message', text: RAW_INSERT, values: [roomId, seq, author!.id, String(Date.now())] }))
        .then(() => latenciesMs.push(performance.now() - due));
    });
    await last;
    const elapsedMs = performance.now() - started;
    const postgresSeconds = postgresCpuSince(postgresBefore, env.databaseName);
    const clientSeconds = (coreShareSince(cpuBefore, elapsedMs) * elapsedMs) / 1000;
    const sorted = latenciesMs.sort((a, b) => a - b);
    return {
      messages,
      postgresPerMessageUs: (postgresSeconds / Math.max(1, messages)) * 1e6,
      clientPerMessageUs: (clientSeconds / Math.max(1, messages)) * 1e6,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
    };
  } finally {
    await client.end();
  }
}
