/**
 * Answers "is this session still valid?" for every authenticated request and WebSocket upgrade.
 *
 * The truth is the `sessions` table; a session is valid while its row exists, is unrevoked and
 * unexpired. Checking the table on every request would make each request a database round trip,
 * so answers are cached, and the cache is kept honest by auth events: a logout or account
 * deletion evicts the entries at once (well within the one second the platform promises). While
 * the event connection is down the cache is bypassed, because an eviction could be missed.
 *
 * The guard also answers "who is this?": the account's username comes from the `users` row, read
 * with the session and cached with it, never from the token's `name` claim, which only says what
 * the name was at login. Every use of a valid session is reported to the session-use recorder.
 */
import type pg from 'pg';
import { GroupBatcher } from '../group-batcher.js';
import { sessionsEndedFor, type AuthEvent, type AuthEventsSubscriber } from './auth-events.js';
import type { SessionUseRecorder } from './session-use.js';

/** Bound on cached sessions; the oldest entry is evicted first. */
const MAX_CACHED_SESSIONS = 100_000;
/** Most sessions looked up by one query (a reconnect storm sends thousands at once). */
const MAX_LOOKUP_BATCH = 1_000;

/** What the guard knows of a valid session. */
export interface ActiveSession {
  /** The account's username as stored now (usernames cannot be changed). */
  username: string;
}

interface CachedSession extends ActiveSession {
  userId: number;
  expiresAtMs: number;
}

export class SessionGuard {
  private readonly cache = new Map<string, CachedSession>();
  /**
   * Bumped on every eviction. A lookup that started before an eviction must not cache its
   * (possibly stale) answer, or a session revoked mid-lookup would look valid forever.
   */
  private generation = 0;
  /** Cache misses that arrive together are looked up by one query. */
  private readonly lookups: GroupBatcher<string, CachedSession | undefined>;

  constructor(
    pool: pg.Pool,
    private readonly events: AuthEventsSubscriber,
    private readonly uses: SessionUseRecorder,
  ) {
    this.lookups = new GroupBatcher({ run: (ids) => lookUpSessions(pool, ids), maxBatch: MAX_LOOKUP_BATCH });
    events.on('auth_event', (event) => this.evict(event));
    events.on('reset', () => this.clear());
  }

  /**
   * The session if it is valid for this user, else undefined; a valid one counts as used.
   * Rejects if the database is unreachable.
   */
  async activeSession(sessionId: string, userId: number): Promise<ActiveSession | undefined> {
    const session = await this.find(sessionId);
    if (!session || session.userId !== userId || session.expiresAtMs <= Date.now()) return undefined;
    this.uses.record(sessionId);
    return { username: session.username };
  }

  private async find(sessionId: string): Promise<CachedSession | undefined> {
    const cached = this.cache.get(sessionId);
    if (cached && this.events.live) return cached;
    const generationAtStart = this.generation;
    const session = await this.lookups.submit(sessionId);
    if (session && this.events.live && generationAtStart === this.generation) this.remember(sessionId, session);
    return session;
  }

  private remember(sessionId: string, session: CachedSession): void {
    if (this.cache.size >= MAX_CACHED_SESSIONS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(sessionId, session);
  }

  private evict(event: AuthEvent): void {
    if (event.type === 'session_revoked') {
      this.generation += 1;
      this.cache.delete(event.sessionId);
      return;
    }
    const userId = sessionsEndedFor(event);
    if (userId === undefined) return; // a block or a message deletion ends no session
    this.generation += 1;
    for (const [sessionId, session] of this.cache) {
      if (session.userId === userId) this.cache.delete(sessionId);
    }
  }

  private clear(): void {
    this.generation += 1;
    this.cache.clear();
  }
}

/**
 * The valid sessions among `ids` with their account's username, in the order of `ids`
 * (undefined where revoked, expired or unknown).
 */
async function lookUpSessions(pool: pg.Pool, ids: string[]): Promise<Array<CachedSession | undefined>> {
  const { rows } = await pool.query<{ id: string; user_id: number; expires_at: Date; username: string }>({
    name: 'murmur_sessions_active_with_username',
    text: `SELECT s.id, s.user_id, s.expires_at, u.username
             FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id = ANY($1::uuid[]) AND s.revoked_at IS NULL AND s.expires_at > now()`,
    values: [ids],
  });
  const found = new Map(
    rows.map((row) => [row.id, { userId: row.user_id, username: row.username, expiresAtMs: row.expires_at.getTime() }]),
  );
  return ids.map((id) => found.get(id));
}
