/**
 * The links mailed to an account's owner (password reset, email verification): each carries 32
 * random bytes, which only the mail holds; the database keeps their SHA-256 (the token is random,
 * so a slow hash would add nothing), so a read of the table gives nobody a working link.
 */
import { createHash, randomBytes } from 'node:crypto';
import { badRequest } from '@murmur/shared/errors';
import { sharedLimit, type SharedLimit } from '@murmur/shared/rate-limits';
import type { AuthConfig } from '../config.js';
import { deleteSpentAccountTokens, insertAccountToken, type AccountTokenPurpose } from '../repos/account-tokens.repo.js';
import type { DbExecutor } from '../repos/sessions.repo.js';
import type { AuthServiceDeps } from './auth.service.js';

const TOKEN_BYTES = 32;
/** Limits on mailed links count per hour: what a person may need, and no inbox flood. */
const MAIL_LIMIT_WINDOW_SECONDS = 3600;

export const linkTokenInvalid = () => badRequest('TOKEN_INVALID', 'the link is not valid: it was used already, has expired, or was mistyped');

/** How a token is looked up: its SHA-256, hex. */
export const hashOfLinkToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface MailedLinkRequest {
  user: { id: number; email: string };
  purpose: AccountTokenPurpose;
  /** The page of the web client the link opens, such as `reset-password`. */
  page: string;
  ttlMs: number;
}

/**
 * Stores a new token for the account in `executor` (the transaction that queues its mail) and
 * resolves the link, `${PUBLIC_URL}/<page>?token=…`. The account's spent tokens are cleared
 * away on the way.
 */
export async function issueMailedLink(executor: DbExecutor, config: Pick<AuthConfig, 'PUBLIC_URL'>, request: MailedLinkRequest): Promise<string> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  await deleteSpentAccountTokens(executor, request.user.id);
  await insertAccountToken(executor, {
    userId: request.user.id,
    purpose: request.purpose,
    tokenHash: hashOfLinkToken(token),
    email: request.user.email,
    expiresAt: new Date(Date.now() + request.ttlMs),
  });
  return `${config.PUBLIC_URL}/${request.page}?token=${token}`;
}

/** A limit on requests that mail links, counted per hour in the store every instance shares; 429 `TOO_MANY_ATTEMPTS` past it. */
export function hourlyMailLimit(deps: Pick<AuthServiceDeps, 'db' | 'config' | 'logger'>, limit: { name: string; points: number; message: string }): SharedLimit {
  return sharedLimit({
    ...limit,
    pool: deps.db.$client,
    keyPrefix: deps.config.RATE_LIMIT_KEY_PREFIX,
    windowSeconds: MAIL_LIMIT_WINDOW_SECONDS,
    code: 'TOO_MANY_ATTEMPTS',
    logger: deps.logger,
  });
}
