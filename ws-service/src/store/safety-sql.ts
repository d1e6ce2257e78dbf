/**
 * The rules of @murmur/shared/safety as SQL text, for this service's named statements (written
 * as text, prepared once per connection). Each fragment is rendered with its accounts given as
 * columns, so it has no parameters of its own and drops into any statement.
 */
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { blockedBetween } from '@murmur/shared/safety';

const dialect = new PgDialect();

/** True when the account in column `a` blocks the one in column `b`, or `b` blocks `a`. */
export const blockedBetweenColumns = (a: string, b: string): string => dialect.sqlToQuery(blockedBetween(sql.raw(a), sql.raw(b))).sql;

/**
 * Refuses with SQLSTATE MU403 when a block stands between the accounts in columns `a` and `b`,
 * under the pair's lock, which a block takes too; nothing when either is null. The function of
 * migration 0013 behind the triggers: a volatile function reads the blocks as they are once the
 * lock is held, even inside a statement that began before the block committed.
 */
export const refuseIfBlockedSql = (a: string, b: string): string => `refuse_if_blocked(${a}, ${b})`;
