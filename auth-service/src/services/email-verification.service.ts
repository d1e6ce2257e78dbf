/**
 * Verifying that the owner reads mail at the account's address: a link is mailed at registration
 * (and again on request), and opening it marks the email verified, provided the account still
 * has the address the link went to.
 */
import { conflict, unauthorized } from '@murmur/shared/errors';
import { useAccountToken } from '../repos/account-tokens.repo.js';
import { findCredentials, markEmailVerified } from '../repos/credentials.repo.js';
import type { DbExecutor } from '../repos/sessions.repo.js';
import { emailVerificationMail } from './account-mails.js';
import type { AuthServiceDeps } from './auth.service.js';
import { hashOfLinkToken, hourlyMailLimit, issueMailedLink, linkTokenInvalid } from './mailed-links.js';

/**
 * Queues the verification mail of `user` in `executor`, the transaction that makes the change it
 * is for (the registration), so the mail goes out exactly when that commits.
 */
export async function queueEmailVerification(deps: Pick<AuthServiceDeps, 'config' | 'mail'>, executor: DbExecutor, user: { id: number; email: string }): Promise<void> {
  const ttlHours = deps.config.EMAIL_VERIFY_TTL_HOURS;
  const link = await issueMailedLink(executor, deps.config, { user, purpose: 'verify_email', page: 'verify-email', ttlMs: ttlHours * 3_600_000 });
  await deps.mail.queue(executor, emailVerificationMail(user.email, link, ttlHours));
}

export interface EmailVerification {
  /** Marks the email verified with a mailed token; 400 `TOKEN_INVALID` (unknown, used, expired, or for an address the account no longer has). */
  verify(token: string): Promise<void>;
  /** Mails a new link; 409 `EMAIL_ALREADY_VERIFIED`, 429 past EMAIL_VERIFY_RESEND_MAX_PER_ACCOUNT an hour. */
  resend(userId: number): Promise<void>;
}

export function createEmailVerification(deps: AuthServiceDeps): EmailVerification {
  const resends = hourlyMailLimit(deps, {
    name: 'verify-email-account',
    points: deps.config.EMAIL_VERIFY_RESEND_MAX_PER_ACCOUNT,
    message: 'too many verification mails asked for',
  });

  return {
    async verify(token) {
      await deps.db.transaction(async (tx) => {
        const owner = await useAccountToken(tx, 'verify_email', hashOfLinkToken(token));
        if (!owner || !(await markEmailVerified(tx, owner.userId, owner.email))) throw linkTokenInvalid();
      });
    },
    async resend(userId) {
      const account = await findCredentials(deps.db, userId);
      // The session was valid a moment ago; the account has just been deleted.
      if (!account) throw unauthorized('SESSION_REVOKED', 'the account no longer exists');
      if (account.emailVerified) throw conflict('EMAIL_ALREADY_VERIFIED', 'the email address is verified already');
      await resends.charge(`user:${userId}`, () => deps.db.transaction((tx) => queueEmailVerification(deps, tx, account)));
    },
  };
}
