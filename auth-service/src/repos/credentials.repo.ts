/**
 * Queries on users for the account's credentials: its password hash, the version of its
 * credentials, and whether its email is verified. (Registration and login have theirs in
 * users.repo.ts.)
 *
 * `credentials_version` counts the changes of the password and of the second factor. A login
 * reads it with the password hash and starts its session only if it is unchanged
 * (sessions.repo.ts), and device cookies carry it, so a change voids both what was in flight
 * under the old credentials and the devices known under them.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';
import type { DbExecutor } from './sessions.repo.js';

/** The SET clause every write of a credential carries (a new password, TOTP on or off). */
export const BUMP_CREDENTIALS_VERSION = sql`credentials_version = credentials_version + 1`;

export interface AccountCredentials {
  id: number;
  email: string;
  passwordHash: string;
  emailVerified: boolean;
}

export async function findCredentials(db: Db, userId: number): Promise<AccountCredentials | undefined> {
  const { rows } = await db.execute<{ id: number; email: string; password_hash: string; email_verified: boolean }>(sql`
    SELECT id, email, password_hash, email_verified_at IS NOT NULL AS email_verified FROM users WHERE id = ${userId}`);
  const row = rows[0];
  return row && { id: row.id, email: row.email, passwordHash: row.password_hash, emailVerified: row.email_verified };
}

/** What must still hold for a new password to be stored. */
export type PasswordHashCondition =
  /** A reset: the account's email is still the address the link went to (compared case-insensitively). */
  | { whileEmailIs: string }
  /** A change: the password is still the one the caller just proved they know. */
  | { whileHashIs: string };

/**
 * Stores a new password, bumping the credentials version, if `condition` holds; resolves the
 * account's address (to tell its owner) when it did, undefined when it did not.
 */
export async function setPasswordHash(
  executor: DbExecutor,
  userId: number,
  passwordHash: string,
  condition: PasswordHashCondition,
): Promise<{ email: string } | undefined> {
  const stillHolds = 'whileEmailIs' in condition ? sql`lower(email) = lower(${condition.whileEmailIs})` : sql`password_hash = ${condition.whileHashIs}`;
  const { rows } = await executor.execute<{ email: string }>(sql`
    UPDATE users SET password_hash = ${passwordHash}, ${BUMP_CREDENTIALS_VERSION}
    WHERE id = ${userId} AND ${stillHolds}
    RETURNING email`);
  return rows[0];
}

/**
 * Replaces a hash of the same password made at a lower cost (or before pre-hashing), only while
 * `from` is still the stored hash: a login that read it must never write the old password back
 * over a change that committed meanwhile. The password is the same, so the version stays.
 */
export async function upgradePasswordHash(db: Db, userId: number, hashes: { from: string; to: string }): Promise<void> {
  await db.execute(sql`UPDATE users SET password_hash = ${hashes.to} WHERE id = ${userId} AND password_hash = ${hashes.from}`);
}

/**
 * Records that the owner reads mail at `email`, if that is still the account's address; resolves
 * whether it is (an account verified already stays verified since its first verification).
 */
export async function markEmailVerified(executor: DbExecutor, userId: number, email: string): Promise<boolean> {
  const { rows } = await executor.execute(sql`
    UPDATE users SET email_verified_at = coalesce(email_verified_at, now())
    WHERE id = ${userId} AND lower(email) = lower(${email})
    RETURNING id`);
  return rows.length > 0;
}
