/**
 * The owner's view of their sessions: which are active, and ending them; and the rule that a
 * change made from a session commits only while that session is active.
 */
import type { AuthUser } from '@murmur/shared/auth';
import type { Db } from '@murmur/shared/db';
import { notFound, unauthorized } from '@murmur/shared/errors';
import { holdActiveSession, listActiveSessions, revokeSession, revokeSessions, type ActiveSessionRow, type DbExecutor } from '../repos/sessions.repo.js';

export interface SessionView extends ActiveSessionRow {
  /** The session the request came with. */
  current: boolean;
}

/** The account's active sessions, newest first, the caller's own marked. */
export async function listSessions(db: Db, user: AuthUser): Promise<SessionView[]> {
  const sessions = await listActiveSessions(db, user.id);
  return sessions.map((session) => ({ ...session, current: session.id === user.sessionId }));
}

/**
 * Ends one of the caller's sessions: its token is refused everywhere from now on. 404
 * `SESSION_NOT_FOUND` when it is not an active session of theirs (someone else's answers the
 * same, so session ids cannot be probed). Resolves whether it was the caller's own session.
 */
export async function endSession(db: Db, user: AuthUser, sessionId: string): Promise<{ endedCurrent: boolean }> {
  if (!(await revokeSession(db, sessionId, user.id))) throw notFound('SESSION_NOT_FOUND', 'no active session of yours has that id');
  return { endedCurrent: sessionId === user.sessionId };
}

/** Ends every session of the caller but the one the request came with. */
export async function endOtherSessions(db: Db, user: AuthUser): Promise<void> {
  await revokeSessions(db, user.id, { except: user.sessionId });
}

/**
 * 401 `SESSION_REVOKED` unless the caller's session is still active, and keeps it so until `tx`
 * commits. A credential change runs it in its transaction, after writing the account: the token
 * was checked when the request came, but the session may have been ended since (by its owner,
 * who saw a stranger's session in their list), and what a stranger began must not then commit.
 */
export async function assertSessionStillActive(tx: DbExecutor, user: Pick<AuthUser, 'id' | 'sessionId'>): Promise<void> {
  if (!(await holdActiveSession(tx, user.sessionId, user.id))) throw unauthorized('SESSION_REVOKED', 'the session has ended; log in again');
}
