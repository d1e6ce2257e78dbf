/**
 * Queries on account_tokens: the tokens of mailed links, stored only as their SHA-256, each usable
 * once and until it expires.
 */
import { sql } from 'drizzle-orm';
import type { schema } from '@murmur/shared/db';
import type { DbExecutor } from './sessions.repo.js';

export type AccountTokenPurpose = schema.AccountTokenPurpose;

/** Whose token it is, and the address its link was mailed to. */
export interface AccountTokenOwner {
  userId: number;
  email: string;
}

export async function insertAccountToken(
  executor: DbExecutor,
  token: { userId: number; purpose: AccountTokenPurpose; tokenHash: string; email: string; expiresAt: Date },
): Promise<void> {
  await executor.execute(sql`
    INSERT INTO account_tokens (user_id, purpose, token_hash, email, expires_at)
    VALUES (${token.userId}, ${token.purpose}, ${token.tokenHash}, ${token.email}, ${token.expiresAt})`);
}

/** Deletes the account's tokens that can no longer be used (used or expired), so the table stays small. */
export async function deleteSpentAccountTokens(executor: DbExecutor, userId: number): Promise<void> {
  await executor.execute(sql`DELETE FROM account_tokens WHERE user_id = ${userId} AND (used_at IS NOT NULL OR expires_at <= now())`);
}

const USABLE = sql`used_at IS NULL AND expires_at > now()`;

/** The owner of the token if it is usable for `purpose` (unused, unexpired), without using it. */
export async function findUsableAccountToken(executor: DbExecutor, purpose: AccountTokenPurpose, tokenHash: string): Promise<AccountTokenOwner | undefined> {
  const { rows } = await executor.execute<{ user_id: number; email: string }>(sql`
    SELECT user_id, email FROM account_tokens WHERE token_hash = ${tokenHash} AND purpose = ${purpose} AND ${USABLE}`);
  return rows[0] && { userId: rows[0].user_id, email: rows[0].email };
}

/**
 * Uses the token: marks it used if it is usable for `purpose`, and resolves its owner; undefined
 * when it is unknown, used or expired. One statement, so of two requests racing with the same
 * token exactly one gets it.
 */
export async function useAccountToken(executor: DbExecutor, purpose: AccountTokenPurpose, tokenHash: string): Promise<AccountTokenOwner | undefined> {
  const { rows } = await executor.execute<{ user_id: number; email: string }>(sql`
    UPDATE account_tokens SET used_at = now()
    WHERE token_hash = ${tokenHash} AND purpose = ${purpose} AND ${USABLE}
    RETURNING user_id, email`);
  return rows[0] && { userId: rows[0].user_id, email: rows[0].email };
}

/** Makes every usable token of the account for `purpose` unusable (a used one voids its siblings). */
export async function voidAccountTokens(executor: DbExecutor, userId: number, purpose: AccountTokenPurpose): Promise<void> {
  await executor.execute(sql`UPDATE account_tokens SET used_at = now() WHERE user_id = ${userId} AND purpose = ${purpose} AND ${USABLE}`);
}
