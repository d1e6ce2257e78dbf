/** Queries on the sessions table: one row per issued token. */
import { and, eq, isNull } from 'drizzle-orm';
import { schema, type Db } from '@murmur/shared/db';
import { notifyAuthEvent } from '@murmur/shared/auth';

const { sessions } = schema;

export async function insertSession(db: Db, session: { id: string; userId: number; expiresAt: Date }): Promise<void> {
  await db.insert(sessions).values(session);
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
