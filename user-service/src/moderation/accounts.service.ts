/**
 * The moderators' rules for accounts: suspending and restoring them, and roles. Each change and
 * its audit entry commit together; asking for what already holds changes nothing and is not
 * logged again.
 */
import { inTransaction, poolExecutor, type Db, type SqlExecutor } from '@murmur/shared/db';
import { badRequest, forbidden } from '@murmur/shared/errors';
import type { Page, PageRequest } from '@murmur/shared/http';
import type { schema } from '@murmur/shared/db';
import { userNotFound } from '../services/follows.service.js';
import { findModeratedAccount, listModeratedAccounts, lockAccount, setRole, suspend, unsuspend, type AccountFilter, type ModeratedAccount } from './accounts.repo.js';
import { writeAudit } from './audit.repo.js';
import { mayActOn, type Moderator } from './roles.js';
import { pageById } from './page-by-id.js';

/** What a suspension or its lifting records beside the account: the moderator's note, the report it resolves. */
export interface SuspensionReason {
  note: string;
  reportId?: number;
}

/**
 * Suspends (`suspended: true`) or restores account `targetId` for `actor`, in `tx`. Nobody
 * suspends themselves (400 `CANNOT_SUSPEND_SELF`); a moderator acts on users only (403
 * `NOT_ALLOWED`). Resolves whether anything changed.
 */
export async function changeSuspension(tx: SqlExecutor, actor: Moderator, targetId: number, suspended: boolean, reason: SuspensionReason): Promise<boolean> {
  if (actor.id === targetId) throw badRequest('CANNOT_SUSPEND_SELF', 'you cannot suspend or restore your own account');
  const target = await lockAccount(tx, targetId);
  if (!target) throw userNotFound(targetId);
  if (!mayActOn(actor, target.role)) throw forbidden('NOT_ALLOWED', `a moderator cannot suspend or restore a ${target.role}`);
  if (target.suspended === suspended) return false;
  await (suspended ? suspend(tx, targetId) : unsuspend(tx, targetId));
  await writeAudit(tx, {
    actorId: actor.id,
    action: suspended ? 'account_suspended' : 'account_unsuspended',
    targetUserId: targetId,
    reportId: reason.reportId,
    details: { note: reason.note },
  });
  return true;
}

export async function getModeratedAccount(executor: SqlExecutor, userId: number): Promise<ModeratedAccount> {
  const account = await findModeratedAccount(executor, userId);
  if (!account) throw userNotFound(userId);
  return account;
}

/** The suspension route: changes it in a transaction of its own and answers the account as it is now. */
export async function setSuspension(db: Db, actor: Moderator, targetId: number, suspended: boolean, note: string): Promise<{ account: ModeratedAccount }> {
  await inTransaction(db.$client, (tx) => changeSuspension(tx, actor, targetId, suspended, { note }));
  return { account: await getModeratedAccount(poolExecutor(db.$client), targetId) };
}

/** Gives account `targetId` role `role`, for admin `actor`. */
export async function changeRole(db: Db, actor: Moderator, targetId: number, role: schema.AccountRole): Promise<{ account: ModeratedAccount }> {
  await inTransaction(db.$client, async (tx) => {
    const target = await lockAccount(tx, targetId);
    if (!target) throw userNotFound(targetId);
    if (target.role === role) return;
    await setRole(tx, targetId, role);
    await writeAudit(tx, { actorId: actor.id, action: 'role_set', targetUserId: targetId, details: { from: target.role, to: role } });
  });
  return { account: await getModeratedAccount(poolExecutor(db.$client), targetId) };
}

export async function listAccounts(db: Db, filter: AccountFilter, page: PageRequest): Promise<Page<ModeratedAccount>> {
  return pageById(await listModeratedAccounts(db, filter, page), page.limit);
}
