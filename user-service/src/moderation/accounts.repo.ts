/** Queries on accounts as the moderators see and change them: role and suspension. */
import { sql, type SQL } from 'drizzle-orm';
import { runSql, type Db, type SqlExecutor } from '@murmur/shared/db';
import { notifyAuthEvent } from '@murmur/shared/auth';
import type { schema } from '@murmur/shared/db';
import type { PageRequest } from '@murmur/shared/http';
import { summaryColumns, toSummary, type AccountSummary, type SummaryRow } from '../repos/account-summary.js';

type AccountRole = schema.AccountRole;

export interface ModeratedAccount extends AccountSummary {
  role: AccountRole;
  suspended: boolean;
  suspendedAt: Date | null;
}

interface ModeratedRow extends SummaryRow {
  role: AccountRole;
  suspended_at: Date | string | null;
}

/** The columns of a ModeratedAccount, from the users row `alias`. */
export const moderatedColumns = (alias: string): SQL => sql`${summaryColumns(alias)}, ${sql.raw(`${alias}.role, ${alias}.suspended_at`)}`;

/** A row of `moderatedColumns` (or its JSON) as a ModeratedAccount. */
export function toModeratedAccount(row: ModeratedRow): ModeratedAccount {
  const suspendedAt = row.suspended_at === null ? null : new Date(row.suspended_at);
  return { ...toSummary(row), role: row.role, suspended: suspendedAt !== null, suspendedAt };
}

export async function findModeratedAccount(executor: SqlExecutor, userId: number): Promise<ModeratedAccount | undefined> {
  const [row] = await runSql<ModeratedRow>(executor, sql`SELECT ${moderatedColumns('u')} FROM users u WHERE u.id = ${userId}`);
  return row && toModeratedAccount(row);
}

export interface AccountFilter {
  suspended?: boolean;
  role?: AccountRole;
}

/** A page of accounts, newest first, `limit + 1` rows (the extra one says whether more exist). */
export async function listModeratedAccounts(db: Db, filter: AccountFilter, page: PageRequest): Promise<ModeratedAccount[]> {
  const conditions = [
    page.cursor === undefined ? undefined : sql`u.id < ${page.cursor}`,
    filter.suspended === undefined ? undefined : filter.suspended ? sql`u.suspended_at IS NOT NULL` : sql`u.suspended_at IS NULL`,
    filter.role === undefined ? undefined : sql`u.role = ${filter.role}`,
  ].filter((condition) => condition !== undefined);
  const where = conditions.length === 0 ? sql`true` : sql.join(conditions, sql` AND `);
  const { rows } = await db.execute<ModeratedRow>(sql`
    SELECT ${moderatedColumns('u')} FROM users u WHERE ${where} ORDER BY u.id DESC LIMIT ${page.limit + 1}`);
  return rows.map(toModeratedAccount);
}

/** The account's role and suspension, its row locked until `tx` ends; undefined when there is no such account. */
export async function lockAccount(tx: SqlExecutor, userId: number): Promise<{ role: AccountRole; suspended: boolean } | undefined> {
  const [row] = await runSql<{ role: AccountRole; suspended: boolean }>(
    tx,
    sql`SELECT role, suspended_at IS NOT NULL AS suspended FROM users WHERE id = ${userId} FOR UPDATE`,
  );
  return row;
}

/**
 * Suspends the account: marks it, revokes every session it holds and sends `user_suspended`, so
 * every service refuses its tokens and ws-service closes its sockets the moment `tx` commits.
 */
export async function suspend(tx: SqlExecutor, userId: number): Promise<void> {
  await runSql(tx, sql`UPDATE users SET suspended_at = now() WHERE id = ${userId}`);
  await runSql(tx, sql`UPDATE sessions SET revoked_at = now() WHERE user_id = ${userId} AND revoked_at IS NULL`);
  await runSql(tx, notifyAuthEvent({ type: 'user_suspended', userId }));
}

/** Lifts the suspension: the account may log in again, and what it wrote is shown again. */
export async function unsuspend(tx: SqlExecutor, userId: number): Promise<void> {
  await runSql(tx, sql`UPDATE users SET suspended_at = NULL WHERE id = ${userId}`);
  await runSql(tx, notifyAuthEvent({ type: 'user_unsuspended', userId }));
}

export async function setRole(tx: SqlExecutor, userId: number, role: AccountRole): Promise<void> {
  await runSql(tx, sql`UPDATE users SET role = ${role} WHERE id = ${userId}`);
}
