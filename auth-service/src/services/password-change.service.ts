/** Changing the password of a logged-in account. */
import type { AuthUser } from '@murmur/shared/auth';
import { badRequest } from '@murmur/shared/errors';
import { assertAcceptablePassword } from '../password-policy.js';
import { voidAccountTokens } from '../repos/account-tokens.repo.js';
import { setPasswordHash } from '../repos/credentials.repo.js';
import { revokeSessions } from '../repos/sessions.repo.js';
import { passwordChangedMail } from './account-mails.js';
import type { AuthServiceDeps } from './auth.service.js';
import { confirmPassword } from './password-check.js';
import { assertSessionStillActive } from './sessions.service.js';

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

/**
 * Replaces the password once the current one is confirmed (counted like a login). Every other
 * session ends, since one of them may be whoever made the change necessary; the caller's stays.
 * Reset links not yet used stop working: they were asked for under the old password. The owner
 * is mailed.
 *
 * The new password is stored only if the one confirmed is still the account's and the caller's
 * session has not ended meanwhile: a reset, another change, or the owner ending this session
 * from elsewhere, committed while the password was being checked, wins.
 */
export async function changePassword(deps: AuthServiceDeps, user: AuthUser, change: PasswordChange, clientAddress: string): Promise<void> {
  // Before the check, so a new password that cannot be accepted costs no attempt.
  assertAcceptablePassword(change.newPassword);
  const confirmed = await confirmPassword(deps, { user, password: change.currentPassword, clientAddress });
  if (change.newPassword === change.currentPassword) throw badRequest('PASSWORD_TOO_WEAK', 'the new password must differ from the current one');
  const passwordHash = await deps.passwords.hash(change.newPassword);
  await deps.db.transaction(async (tx) => {
    const account = await setPasswordHash(tx, user.id, passwordHash, { whileHashIs: confirmed.passwordHash });
    if (!account) throw badRequest('INVALID_CREDENTIALS', 'the password was changed meanwhile; the current password is the new one');
    await assertSessionStillActive(tx, user);
    await voidAccountTokens(tx, user.id, 'reset_password');
    await revokeSessions(tx, user.id, { except: user.sessionId });
    await deps.mail.queue(tx, passwordChangedMail(account.email));
  });
}
