/** Queries on the sessions table: one row per issued token. */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';
import { AUTH_EVENTS_CHANNEL } from '@murmur/shared/auth';

/** A database handle or a transaction: whatever the caller is writing its change with. */
export type DbExecutor = Pick<Db, 'execute'>;

/**
 * Whether a session was started: `suspended`, `gone` and `credentials-changed` (the password or
 * the second factor changed since the login read them) inserted none.
 */
export type SessionStart = 'started' | 'suspended' | 'gone' | 'credentials-changed';

/** Enough of a User-Agent to tell browsers and devices apart in the owner's session list. */
const MAX_USER_AGENT_CHARACTERS = 512;

export interface NewSession {
  id: string;
  userId: number;
  expiresAt: Date;
  userAgent?: string;
  /** The account's credentials version the login read with the password hash it checked. */
  credentialsVersion: number;
}

/**
 * Starts the session unless the account is suspended (or gone), or its credentials changed since
 * the login read them. The account's row is read FOR SHARE: a suspension or a credential change
 * in flight holds it, so the insert waits for it and then reads the account as it left it and
 * inserts nothing; one that comes after waits for this insert and revokes the session with the
 * others. Either way no session outlives a suspension, and none starts under a password (or
 * without a second factor) its owner has just replaced.
 */
export async function insertSession(db: Db, session: NewSession): Promise<SessionStart> {
  const userAgent = session.userAgent ? [...session.userAgent].slice(0, MAX_USER_AGENT_CHARACTERS).join('') : null;
  const { rows } = await db.execute<{ suspended: boolean; credentials_version: number }>(sql`
    WITH account AS (
      SELECT id, suspended_at IS NOT NULL AS suspended, credentials_version FROM users WHERE id = ${session.userId} FOR SHARE
    ),
    started AS (
      INSERT INTO sessions (id, user_id, expires_at, user_agent, last_used_at)
      SELECT ${session.id}, id, ${session.expiresAt}, ${userAgent}, now() FROM account
      WHERE NOT suspended AND credentials_version = ${session.credentialsVersion}
      RETURNING id
    )
    SELECT suspended, credentials_version FROM account`);
  const account = rows[0];
  if (!account) return 'gone';
  if (account.suspended) return 'suspended';
  return account.credentials_version === session.credentialsVersion ? 'started' : 'credentials-changed';
}

/**
 * True when `sessionId` is an active session of the account, which then stays active until the
 * caller's transaction ends: its row is held FOR SHARE, so a revocation in flight is waited for
 * (and then seen), and one that comes later waits for the caller's change to commit. Take it
 * after writing the account's row: every writer of both takes the account first, then its
 * sessions, so no two of them wait on each other.
 */
export async function holdActiveSession(tx: DbExecutor, sessionId: string, userId: number): Promise<boolean> {
  const { rows } = await tx.execute(sql`
    SELECT 1 FROM sessions WHERE id = ${sessionId} AND user_id = ${userId} AND revoked_at IS NULL AND expires_at > now() FOR SHARE`);
  return rows.length > 0;
}

/** A session as its owner sees it in their list. */
export interface ActiveSessionRow {
  id: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  userAgent: string | null;
}

/** The most sessions listed; an account rarely has more than a handful (one per device). */
const MAX_LISTED_SESSIONS = 200;

/** The account's unrevoked, unexpired sessions, newest first. */
export async function listActiveSessions(db: Db, userId: number): Promise<ActiveSessionRow[]> {
  const { rows } = await db.execute<{ id: string; created_at: Date; last_used_at: Date | null; user_agent: string | null }>(sql`
    SELECT id, created_at, last_used_at, user_agent FROM sessions
    WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()
    ORDER BY created_at DESC, id DESC
    LIMIT ${MAX_LISTED_SESSIONS}`);
  return rows.map((row) => ({
    id: row.id,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
    userAgent: row.user_agent,
  }));
}

/**
 * Revokes the account's active sessions that `which` selects and, in the same statement, sends a
 * `session_revoked` auth event for each (the event `notifyAuthEvent` would send), so every token
 * is refused everywhere the moment the revocation commits, and never before. One statement is
 * atomic by itself, so `executor` may be the database or a transaction the change belongs to.
 * Resolves the ids of the sessions revoked.
 */
async function revokeWhere(executor: DbExecutor, userId: number, which: SQL): Promise<string[]> {
  const { rows } = await executor.execute<{ id: string }>(sql`
    WITH revoked AS (
      UPDATE sessions SET revoked_at = now()
      WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > now() AND ${which}
      RETURNING id, user_id
    )
    SELECT id, pg_notify(${AUTH_EVENTS_CHANNEL}, json_build_object('type', 'session_revoked', 'sessionId', id, 'userId', user_id)::text)
    FROM revoked`);
  return rows.map((row) => row.id);
}

/** Ends one session of the account; resolves false when it was not an active session of theirs. */
export async function revokeSession(executor: DbExecutor, sessionId: string, userId: number): Promise<boolean> {
  return (await revokeWhere(executor, userId, sql`id = ${sessionId}`)).length > 0;
}

/**
 * Ends the account's active sessions older than its `keep` newest, so that an account never has
 * more than `keep` at once; resolves the ids ended.
 */
export function revokeSessionsBeyondNewest(executor: DbExecutor, userId: number, keep: number): Promise<string[]> {
  return revokeWhere(
    executor,
    userId,
    sql`id IN (
      SELECT id FROM sessions WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()
      ORDER BY created_at DESC, id DESC OFFSET ${keep})`,
  );
}

/** Ends every active session of the account, or every one but `except`; resolves the ids ended. */
export function revokeSessions(executor: DbExecutor, userId: number, options: { except?: string } = {}): Promise<string[]> {
  return revokeWhere(executor, userId, options.except === undefined ? sql`true` : sql`id <> ${options.except}`);
}
