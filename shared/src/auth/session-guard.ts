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
import type { AuthEvent, AuthEventsSubscriber } from './auth-events.js';

/** Bound on cached sessions; the oldest entry is evicted first. */
const MAX_CACHED_SESSIONS = 100_000;

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

  constructor(
    private readonly pool: pg.Pool,
    private readonly events: AuthEventsSubscriber,
  ) {
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
    const { rows } = await this.pool.query<{ user_id: number; expires_at: Date }>({
      name: 'murmur_session_active',
      text: 'SELECT user_id, expires_at FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()',
      values: [sessionId],
    });
    const row = rows[0];
    if (!row) return false;
    if (this.events.live && generationAtStart === this.generation) this.remember(sessionId, row.user_id, row.expires_at);
    return row.user_id === userId;
  }

  private remember(sessionId: string, userId: number, expiresAt: Date): void {
    if (this.cache.size >= MAX_CACHED_SESSIONS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(sessionId, { userId, expiresAtMs: expiresAt.getTime() });
  }

  private evict(event: AuthEvent): void {
    this.generation += 1;
    if (event.type === 'session_revoked') {
      this.cache.delete(event.sessionId);
      return;
    }
    for (const [sessionId, session] of this.cache) {
      if (session.userId === event.userId) this.cache.delete(sessionId);
    }
  }

  private clear(): void {
    this.generation += 1;
    this.cache.clear();
  }
}
