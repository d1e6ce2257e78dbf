/** Queries on recovery_codes: the SHA-256 of each single-use recovery code of an account. */
import { sql } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';
import type { DbExecutor } from './sessions.repo.js';

/** Replaces every code of the account (used or not) with `codeHashes`. */
export async function replaceRecoveryCodes(executor: DbExecutor, userId: number, codeHashes: string[]): Promise<void> {
  await deleteRecoveryCodes(executor, userId);
  const rows = codeHashes.map((codeHash) => sql`(${userId}, ${codeHash})`);
  await executor.execute(sql`INSERT INTO recovery_codes (user_id, code_hash) VALUES ${sql.join(rows, sql`, `)}`);
}

export async function deleteRecoveryCodes(executor: DbExecutor, userId: number): Promise<void> {
  await executor.execute(sql`DELETE FROM recovery_codes WHERE user_id = ${userId}`);
}

/**
 * Uses up the account's code with hash `codeHash`: true once, for the first caller, and false
 * for a code that is unknown or already used, however many logins race with it.
 */
export async function useRecoveryCode(db: Db, userId: number, codeHash: string): Promise<boolean> {
  const { rows } = await db.execute(sql`
    UPDATE recovery_codes SET used_at = now()
    WHERE user_id = ${userId} AND code_hash = ${codeHash} AND used_at IS NULL
    RETURNING id`);
  return rows.length === 1;
}

export async function countUnusedRecoveryCodes(db: Db, userId: number): Promise<number> {
  const { rows } = await db.execute<{ count: number }>(sql`
    SELECT count(*)::int AS count FROM recovery_codes WHERE user_id = ${userId} AND used_at IS NULL`);
  return rows[0]?.count ?? 0;
}
