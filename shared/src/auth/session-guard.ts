/**
 * Answers "is this session still valid?" for every authenticated request and WebSocket upgrade.
 *
 * The truth is the `sessions` table; a session is valid while its row exists, is unrevoked and
 * unexpired. Checking the table on every request would make each request a database round trip,
 * so answers are cached, and the cache is kept honest by auth events: a logout or account
 * deletion evicts the entries at once (well within the one second the platform promises). While
 * the event connection is down the cache is bypassed, because an eviction could be missed.
 */
import type pg from 'pg';
import { GroupBatcher } from '../group-batcher.js';
import { sessionsEndedFor, type AuthEvent, type AuthEventsSubscriber } from './auth-events.js';

/** Bound on cached sessions; the oldest entry is evicted first. */
const MAX_CACHED_SESSIONS = 100_000;
/** Most sessions looked up by one query (a reconnect storm sends thousands at once). */
const MAX_LOOKUP_BATCH = 1_000;

interface CachedSession {
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
  ) {
    this.lookups = new GroupBatcher({ run: (ids) => lookUpSessions(pool, ids), maxBatch: MAX_LOOKUP_BATCH });
    events.on('auth_event', (event) => this.evict(event));
    events.on('reset', () => this.clear());
  }

  /** Resolves true if the session is valid for this user. Rejects if the database is unreachable. */
  async isActive(sessionId: string, userId: number): Promise<boolean> {
    const cached = this.cache.get(sessionId);
    if (cached && this.events.live) {
      return cached.userId === userId && cached.expiresAtMs > Date.now();
    }
    const generationAtStart = this.generation;
    const session = await this.lookups.submit(sessionId);
    if (!session) return false;
    if (this.events.live && generationAtStart === this.generation) this.remember(sessionId, session);
    return session.userId === userId;
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

/** The valid sessions among `ids`, in the order of `ids` (undefined where revoked, expired or unknown). */
async function lookUpSessions(pool: pg.Pool, ids: string[]): Promise<Array<CachedSession | undefined>> {
  const { rows } = await pool.query<{ id: string; user_id: number; expires_at: Date }>({
    name: 'murmur_sessions_active',
    text: 'SELECT id, user_id, expires_at FROM sessions WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND expires_at > now()',
    values: [ids],
  });
  const found = new Map(rows.map((row) => [row.id, { userId: row.user_id, expiresAtMs: row.expires_at.getTime() }]));
  return ids.map((id) => found.get(id));
}
