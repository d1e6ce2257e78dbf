/** Queries on the users table for registration, login and the second factor. */
import { eq, or, sql } from 'drizzle-orm';
import { schema, type Db } from '@murmur/shared/db';
import { BUMP_CREDENTIALS_VERSION } from './credentials.repo.js';
import type { DbExecutor } from './sessions.repo.js';

const { users } = schema;

/** The account as its owner sees it. */
export type UserRecord = {
  id: number;
  username: string;
  email: string;
  createdAt: Date;
  emailVerified: boolean;
  totpEnabled: boolean;
};

export interface UserWithPassword extends UserRecord {
  passwordHash: string;
  /** A moderator suspended the account: it may not log in. */
  suspended: boolean;
  /** The TOTP secret of an account with two-factor login on; null otherwise (a setup not finished included). */
  totpSecret: string | null;
  /** The version of the credentials read with them (credentials.repo.ts). */
  credentialsVersion: number;
}

/** A new account, and the version of its credentials its first session starts under. */
export type NewUser = UserRecord & { credentialsVersion: number };

const publicColumns = {
  id: users.id,
  username: users.username,
  email: users.email,
  createdAt: users.createdAt,
  emailVerified: sql<boolean>`${users.emailVerifiedAt} IS NOT NULL`,
  totpEnabled: sql<boolean>`${users.totpEnabledAt} IS NOT NULL`,
};

/** Which of `username` and `email` are taken, compared case-insensitively. */
export async function findTakenIdentifiers(
  db: Db,
  username: string,
  email: string,
): Promise<{ usernameTaken: boolean; emailTaken: boolean }> {
  const rows = await db
    .select({ username: users.username, email: users.email })
    .from(users)
    .where(or(eq(sql`lower(${users.username})`, username.toLowerCase()), eq(sql`lower(${users.email})`, email.toLowerCase())));
  return {
    usernameTaken: rows.some((r) => r.username.toLowerCase() === username.toLowerCase()),
    emailTaken: rows.some((r) => r.email.toLowerCase() === email.toLowerCase()),
  };
}

export async function insertUser(executor: DbExecutor, user: { username: string; email: string; passwordHash: string }): Promise<NewUser> {
  const { rows } = await executor.execute<NewUser>(sql`
    INSERT INTO users (username, email, password_hash) VALUES (${user.username}, ${user.email}, ${user.passwordHash})
    RETURNING id, username, email, created_at AS "createdAt", false AS "emailVerified", false AS "totpEnabled",
      credentials_version AS "credentialsVersion"`);
  const row = rows[0];
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** Finds a user by email or username, case-insensitively, through the lower() unique indexes. */
export async function findUserForLogin(
  db: Db,
  by: { email: string } | { username: string },
): Promise<UserWithPassword | undefined> {
  const condition =
    'email' in by
      ? eq(sql`lower(${users.email})`, by.email.toLowerCase())
      : eq(sql`lower(${users.username})`, by.username.toLowerCase());
  const [row] = await db
    .select({
      ...publicColumns,
      passwordHash: users.passwordHash,
      suspended: sql<boolean>`${users.suspendedAt} IS NOT NULL`,
      totpSecret: sql<string | null>`CASE WHEN ${users.totpEnabledAt} IS NOT NULL THEN ${users.totpSecret} END`,
      credentialsVersion: users.credentialsVersion,
    })
    .from(users)
    .where(condition)
    .limit(1);
  return row;
}

/** What the second-factor settings need of an account. */
export interface TotpState {
  username: string;
  email: string;
  /** The secret, active or waiting for its first code; null when none was set up. */
  totpSecret: string | null;
  totpEnabled: boolean;
}

export async function findTotpState(db: Db, userId: number): Promise<TotpState | undefined> {
  const [row] = await db
    .select({ username: users.username, email: users.email, totpSecret: users.totpSecret, totpEnabled: publicColumns.totpEnabled })
    .from(users)
    .where(eq(users.id, userId));
  return row;
}

/**
 * Stores a new secret waiting for its first code, replacing one that never got it; false when
 * two-factor login is already on (its secret is never replaced).
 */
export async function setPendingTotpSecret(db: Db, userId: number, secret: string): Promise<boolean> {
  const { rows } = await db.execute(sql`
    UPDATE users SET totp_secret = ${secret}, totp_last_step = NULL
    WHERE id = ${userId} AND totp_enabled_at IS NULL
    RETURNING id`);
  return rows.length === 1;
}

/**
 * Turns two-factor login on with `secret`, its first code's time step being `step`; false when
 * it is on already or the pending secret is no longer `secret` (a newer setup replaced it).
 */
export async function markTotpEnabled(executor: DbExecutor, userId: number, secret: string, step: number): Promise<boolean> {
  const { rows } = await executor.execute(sql`
    UPDATE users SET totp_enabled_at = now(), totp_last_step = ${step}, ${BUMP_CREDENTIALS_VERSION}
    WHERE id = ${userId} AND totp_secret = ${secret} AND totp_enabled_at IS NULL
    RETURNING id`);
  return rows.length === 1;
}

/** Turns two-factor login off and forgets its secret; false when it was not on. */
export async function clearTotp(executor: DbExecutor, userId: number): Promise<boolean> {
  const { rows } = await executor.execute(sql`
    UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL, ${BUMP_CREDENTIALS_VERSION}
    WHERE id = ${userId} AND totp_enabled_at IS NOT NULL
    RETURNING id`);
  return rows.length === 1;
}

/**
 * Records that a login used the code of time step `step`. Only a step later than the last one
 * accepted passes, and the check and the write are one statement, so of two logins racing with
 * one code exactly one gets true.
 */
export async function acceptTotpStep(db: Db, userId: number, step: number): Promise<boolean> {
  const { rows } = await db.execute(sql`
    UPDATE users SET totp_last_step = ${step}
    WHERE id = ${userId} AND totp_enabled_at IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < ${step})
    RETURNING id`);
  return rows.length === 1;
}
