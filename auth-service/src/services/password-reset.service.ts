/**
 * Resetting a forgotten password by a link mailed to the account's address.
 *
 * A request answers the same whether or not an account has that address (202, and the lookup
 * and the mail happen after the answer), so nobody learns which addresses have accounts. Links
 * work for PASSWORD_RESET_TTL_MINUTES. A new request leaves the links mailed before it working,
 * since mail can arrive late or out of order and the person clicks whichever came; using any one
 * of them voids the others. A reset ends every session, voids every device cookie (the
 * credentials version moves on), clears the failed logins counted against the account (its owner
 * has just proved who they are), mails the owner, and leaves the second factor as it is.
 */
import { AppError } from '@murmur/shared/errors';
import type { SharedLimit } from '@murmur/shared/rate-limits';
import { assertAcceptablePassword } from '../password-policy.js';
import { findUsableAccountToken, useAccountToken, voidAccountTokens } from '../repos/account-tokens.repo.js';
import { setPasswordHash } from '../repos/credentials.repo.js';
import { revokeSessions } from '../repos/sessions.repo.js';
import { findUserForLogin } from '../repos/users.repo.js';
import { passwordResetDoneMail, passwordResetMail } from './account-mails.js';
import type { AuthServiceDeps } from './auth.service.js';
import { DeferredWork } from './deferred-work.js';
import { hashOfLinkToken, hourlyMailLimit, issueMailedLink, linkTokenInvalid } from './mailed-links.js';
import { quietly } from './password-check.js';

/**
 * Reset requests waiting for their lookup, per instance; past it a request is dropped (and
 * logged). Each client address may ask only PASSWORD_RESET_MAX_PER_ADDRESS times an hour, so
 * only a flood from very many addresses comes near it.
 */
const MAX_WAITING_REQUESTS = 10_000;

export interface PasswordResets {
  /**
   * Mails a reset link to the account with `email`, if there is one, it is not suspended, and it
   * has not had PASSWORD_RESET_MAX_PER_ACCOUNT links this hour; resolves before any of that is
   * known. 429 when `clientAddress` has asked PASSWORD_RESET_MAX_PER_ADDRESS times this hour.
   */
  request(email: string, clientAddress: string): Promise<void>;
  /** Sets a new password with a mailed token; 400 `TOKEN_INVALID` (unknown, used, expired), 400 `PASSWORD_TOO_WEAK`. */
  reset(token: string, newPassword: string): Promise<void>;
}

const isTooMany = (err: unknown) => err instanceof AppError && err.status === 429;

export function createPasswordResets(deps: AuthServiceDeps): PasswordResets {
  const message = 'too many password reset requests';
  const perAddress = hourlyMailLimit(deps, { name: 'reset-address', points: deps.config.PASSWORD_RESET_MAX_PER_ADDRESS, message });
  const perAccount = hourlyMailLimit(deps, { name: 'reset-account', points: deps.config.PASSWORD_RESET_MAX_PER_ACCOUNT, message });
  const lookups = new DeferredWork('password reset requests', MAX_WAITING_REQUESTS, deps.logger);

  return {
    async request(email, clientAddress) {
      await perAddress.consume(clientAddress);
      lookups.add(() => mailResetLink(deps, perAccount, email));
    },
    async reset(token, newPassword) {
      assertAcceptablePassword(newPassword);
      const tokenHash = hashOfLinkToken(token);
      // Checked before bcrypt runs, so tokens made up cost no hashing.
      if (!(await findUsableAccountToken(deps.db, 'reset_password', tokenHash))) throw linkTokenInvalid();
      const passwordHash = await deps.passwords.hash(newPassword);
      const userId = await deps.db.transaction(async (tx) => {
        // Used here, atomically: of two resets racing with one link, one wins.
        const owner = await useAccountToken(tx, 'reset_password', tokenHash);
        // The link went to an address that is no longer the account's: it proves nothing now.
        if (!owner || !(await setPasswordHash(tx, owner.userId, passwordHash, { whileEmailIs: owner.email }))) throw linkTokenInvalid();
        await voidAccountTokens(tx, owner.userId, 'reset_password');
        await revokeSessions(tx, owner.userId);
        await deps.mail.queue(tx, passwordResetDoneMail(owner.email));
        return owner.userId;
      });
      // Guesses at the old password must not keep the owner from logging in with the new one.
      await quietly(deps, 'could not clear the failed logins of a reset account', () => deps.limiter.clearAccountFailures(userId));
    },
  };
}

/** The work of a reset request, after its answer. */
async function mailResetLink(deps: AuthServiceDeps, perAccount: SharedLimit, email: string): Promise<void> {
  const account = await findUserForLogin(deps.db, { email });
  if (!account || account.suspended) return;
  const ttlMinutes = deps.config.PASSWORD_RESET_TTL_MINUTES;
  try {
    // Counted per account, so nobody can flood someone's inbox from many addresses.
    await perAccount.charge(`user:${account.id}`, () =>
      deps.db.transaction(async (tx) => {
        const link = await issueMailedLink(tx, deps.config, { user: account, purpose: 'reset_password', page: 'reset-password', ttlMs: ttlMinutes * 60_000 });
        await deps.mail.queue(tx, passwordResetMail(account.email, link, ttlMinutes));
      }),
    );
  } catch (err) {
    if (!isTooMany(err)) throw err;
    deps.logger.info({ userId: account.id }, 'password reset link not mailed: the account had its share this hour');
  }
}
