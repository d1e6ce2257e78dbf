/**
 * Who may moderate. The caller's role is read from the database on every moderators' request,
 * never cached: roles change rarely and these requests are rare, and a cache could keep a
 * demoted moderator at work after their role was taken away.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';
import { forbidden, unauthorized } from '@murmur/shared/errors';
import type { schema } from '@murmur/shared/db';

type AccountRole = schema.AccountRole;

/** The moderator or admin making a request. */
export interface Moderator {
  id: number;
  username: string;
  role: Exclude<AccountRole, 'user'>;
}

async function readRole(db: Db, userId: number): Promise<{ username: string; role: AccountRole }> {
  const { rows } = await db.execute<{ username: string; role: AccountRole }>(sql`SELECT username, role FROM users WHERE id = ${userId}`);
  const row = rows[0];
  // A valid session of an account that is gone: the deletion is committing right now.
  if (!row) throw unauthorized('SESSION_REVOKED', 'the account no longer exists');
  return row;
}

/** The caller, if a moderator or an admin; else 403 `NOT_A_MODERATOR`. */
export async function requireModerator(db: Db, userId: number): Promise<Moderator> {
  const { username, role } = await readRole(db, userId);
  if (role === 'user') throw forbidden('NOT_A_MODERATOR', 'only moderators can do this');
  return { id: userId, username, role };
}

/** The caller, if an admin; else 403 `NOT_AN_ADMIN`. */
export async function requireAdmin(db: Db, userId: number): Promise<Moderator> {
  const { username, role } = await readRole(db, userId);
  if (role !== 'admin') throw forbidden('NOT_AN_ADMIN', 'only admins can do this');
  return { id: userId, username, role };
}

/**
 * Whether `actor` may suspend (or unsuspend) an account of role `target`: moderators act on
 * users only; admins on anyone. Nobody acts on themselves (checked apart).
 */
export const mayActOn = (actor: Moderator, target: AccountRole): boolean => actor.role === 'admin' || target === 'user';
