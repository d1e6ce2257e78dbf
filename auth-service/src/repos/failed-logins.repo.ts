/**
 * The failed logins against each account since its last successful one, which that login tells
 * the owner. One counter row per account in `rate_limits`, the table of the login counters,
 * under a key no limit uses and with no expiry: unlike a limit's window, the count must last
 * until the owner next logs in, however long that takes.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';

/** The key of the account's counter row in `rate_limits`. */
export const failedLoginsCounterKey = (userId: number) => `failed-logins-since-success:${userId}`;

export async function countFailedLogin(db: Db, userId: number): Promise<void> {
  await db.execute(sql`
    INSERT INTO rate_limits (key, points, expire) VALUES (${failedLoginsCounterKey(userId)}, 1, NULL)
    ON CONFLICT (key) DO UPDATE SET points = rate_limits.points + 1`);
}

/** The failures counted since the last successful login, which this one resets to none. */
export async function takeFailedLogins(db: Db, userId: number): Promise<number> {
  const { rows } = await db.execute<{ points: number }>(sql`DELETE FROM rate_limits WHERE key = ${failedLoginsCounterKey(userId)} RETURNING points`);
  return rows[0]?.points ?? 0;
}
