/**
 * Reads the sessions table (written by auth-service only): which of the sessions holding sockets
 * here are still valid, after auth events may have been missed.
 */
import { and, gt, inArray, isNull, sql } from 'drizzle-orm';
import { schema, type Db } from '@murmur/shared/db';

const { sessions } = schema;

/** The ids among `ids` whose session exists, is unrevoked and unexpired. */
export async function activeSessionIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(inArray(sessions.id, ids), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)));
  return new Set(rows.map((r) => r.id));
}
