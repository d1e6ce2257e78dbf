/**
 * Checking a logged-in user's password again before a sensitive change (a new password, turning
 * the second factor on or off). A token alone must not be enough for those, and the check must
 * not be a way around the login's brute-force limits: each attempt counts against the caller's
 * session and address, and a wrong password is told to the owner at their next login like any
 * failed one. It is not counted against the account: strangers' failed logins, which lock the
 * account for unknown devices, must not keep its logged-in owner from changing the password.
 */
import type { AuthUser } from '@murmur/shared/auth';
import { badRequest } from '@murmur/shared/errors';
import { isOutage } from '@murmur/shared/rate-limits';
import { findCredentials } from '../repos/credentials.repo.js';
import { countFailedLogin } from '../repos/failed-logins.repo.js';
import type { AuthServiceDeps } from './auth.service.js';

export interface PasswordConfirmation {
  user: Pick<AuthUser, 'id' | 'sessionId'>;
  password: string;
  /** As the per-address limits count it. */
  clientAddress: string;
}

/**
 * Resolves the password hash `password` matched when it is the account's, so the change can be
 * made only while that is still the stored one; 400 `INVALID_CREDENTIALS` when it is not (400,
 * not 401: the caller is still logged in), 429 when the session or the address is out of attempts.
 */
export async function confirmPassword(deps: Pick<AuthServiceDeps, 'db' | 'passwords' | 'limiter' | 'logger'>, input: PasswordConfirmation): Promise<{ passwordHash: string }> {
  const attempt = await deps.limiter.beginLogin(input.clientAddress);
  try {
    await deps.limiter.countAgainstSession(attempt, input.user.sessionId);
    const account = await findCredentials(deps.db, input.user.id);
    // An account deleted since its token was checked compares against the dummy hash, and fails.
    if (!account || !(await deps.passwords.verify(input.password, account.passwordHash))) {
      if (account) inBackground(deps, 'could not count a failed password check for its owner', () => countFailedLogin(deps.db, account.id));
      throw badRequest('INVALID_CREDENTIALS', 'the password is wrong');
    }
    await quietly(deps, 'could not refund a rate-limit count', () => deps.limiter.succeeded(attempt));
    return { passwordHash: account.passwordHash };
  } catch (err) {
    // An outage is not the user's doing: nothing it counted stays.
    await quietly(deps, 'could not settle a rate-limit count', () => (isOutage(err) ? deps.limiter.outage(attempt) : deps.limiter.failed(attempt)));
    throw err;
  }
}

/** Counting is best effort once the answer is known: if the store is down, the answer stands. */
export async function quietly(deps: Pick<AuthServiceDeps, 'logger'>, failure: string, count: () => Promise<void>): Promise<void> {
  try {
    await count();
  } catch (err) {
    deps.logger.warn({ err }, failure);
  }
}

/** Like `quietly`, without waiting: for work the answer must not wait for (its time would tell what it found). */
export function inBackground(deps: Pick<AuthServiceDeps, 'logger'>, failure: string, work: () => Promise<void>): void {
  void quietly(deps, failure, work);
}
