/** Queries on the sessions table: one row per issued token. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { schema, type Db } from '@murmur/shared/db';
import { notifyAuthEvent } from '@murmur/shared/auth';

const { sessions } = schema;

/** Whether a session was started: `suspended` and `gone` inserted none. */
export type SessionStart = 'started' | 'suspended' | 'gone';

/**
 * Starts the session unless the account is suspended (or gone). The account's row is read FOR
 * SHARE: a suspension in flight holds it, so the insert waits for it and then reads the account
 * suspended and inserts nothing; a suspension that comes after waits for this insert and revokes
 * the session with the others. Either way no session outlives a suspension.
 */
export async function insertSession(db: Db, session: { id: string; userId: number; expiresAt: Date }): Promise<SessionStart> {
  const { rows } = await db.execute<{ suspended: boolean }>(sql`
    WITH account AS (SELECT id, suspended_at IS NOT NULL AS suspended FROM users WHERE id = ${session.userId} FOR SHARE),
    started AS (
      INSERT INTO sessions (id, user_id, expires_at)
      SELECT ${session.id}, id, ${session.expiresAt} FROM account WHERE NOT suspended
      RETURNING id
    )
    SELECT suspended FROM account`);
  const account = rows[0];
  if (!account) return 'gone';
  return account.suspended ? 'suspended' : 'started';
}

/**
 * Marks the session revoked and, in the same transaction, tells every service, so the token is
 * refused everywhere the moment the revocation commits.
 */
export async function revokeSession(db: Db, sessionId: string, userId: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
    await tx.execute(notifyAuthEvent({ type: 'session_revoked', sessionId, userId }));
  });
}
