import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { SESSION_USE_INTERVAL_MS, SessionUseRecorder } from '../src/auth/session-use.js';
import { createLogger } from '../src/logger.js';
import { testDatabaseUrl, uniqueName } from '../src/testing.js';

const LONG_AGO = new Date('2000-01-01T00:00:00Z');

describe('the session-use recorder', () => {
  let pool: pg.Pool;
  let userId: number;
  const logger = createLogger('test', 'silent');

  /** A fresh session whose last use is long ago. */
  async function newSession(): Promise<string> {
    const sessionId = randomUUID();
    await pool.query(`INSERT INTO sessions (id, user_id, expires_at, last_used_at) VALUES ($1, $2, now() + interval '1 hour', $3)`, [
      sessionId,
      userId,
      LONG_AGO,
    ]);
    return sessionId;
  }

  async function lastUsedAt(sessionIds: string[]): Promise<number[]> {
    const { rows } = await pool.query<{ id: string; last_used_at: Date }>('SELECT id, last_used_at FROM sessions WHERE id = ANY($1::uuid[])', [
      sessionIds,
    ]);
    const byId = new Map(rows.map((row) => [row.id, row.last_used_at.getTime()]));
    return sessionIds.map((id) => byId.get(id)!);
  }

  before(async () => {
    pool = new pg.Pool({ connectionString: testDatabaseUrl() });
    const name = uniqueName('uses');
    const { rows } = await pool.query(`INSERT INTO users (username, email, password_hash) VALUES ($1, $1 || '@example.com', 'x') RETURNING id`, [name]);
    userId = rows[0].id;
  });
  after(() => pool.end());

  it('writes the uses reported together with one statement', async () => {
    const recorder = new SessionUseRecorder({ pool, logger });
    const sessions = [await newSession(), await newSession(), await newSession()];
    const before = Date.now();
    for (const sessionId of sessions) recorder.record(sessionId);
    await recorder.flush();
    const written = await lastUsedAt(sessions);
    for (const at of written) assert.ok(at > LONG_AGO.getTime() && Math.abs(at - before) < 60_000, 'last_used_at is now');
    // now() is the statement's transaction time: one UPDATE gives every row the same instant.
    assert.equal(new Set(written).size, 1);
  });

  it('writes a session at most once per interval, and again once the interval has passed', async () => {
    let clock = Date.now();
    const recorder = new SessionUseRecorder({ pool, logger, now: () => clock });
    const sessionId = await newSession();
    recorder.record(sessionId);
    await recorder.flush();
    assert.notEqual((await lastUsedAt([sessionId]))[0], LONG_AGO.getTime());

    await pool.query('UPDATE sessions SET last_used_at = $2 WHERE id = $1', [sessionId, LONG_AGO]);
    clock += SESSION_USE_INTERVAL_MS - 1;
    for (let i = 0; i < 50; i += 1) recorder.record(sessionId);
    await recorder.flush();
    assert.equal((await lastUsedAt([sessionId]))[0], LONG_AGO.getTime(), 'no write within the interval');

    clock += 1;
    recorder.record(sessionId);
    await recorder.flush();
    assert.notEqual((await lastUsedAt([sessionId]))[0], LONG_AGO.getTime(), 'written again after the interval');
  });

  it('logs a failed write and never throws', async () => {
    const logged: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(JSON.parse(chunk.toString('utf8')) as { level: number; msg: string });
        done();
      },
    });
    // Nothing listens on port 1: every query fails, as when the database is down.
    const unreachable = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 500 });
    try {
      const recorder = new SessionUseRecorder({ pool: unreachable, logger: pino({ level: 'warn' }, sink) });
      assert.doesNotThrow(() => recorder.record(randomUUID()));
      await recorder.flush();
      assert.equal(logged.length, 1);
      assert.match(logged[0]!.msg, /could not record when sessions were last used/);
    } finally {
      await unreachable.end();
    }
  });
});
