/** The rules of registering, logging in and logging out. */
import { pgErrorOf, UNIQUE_VIOLATION, type Db } from '@murmur/shared/db';
import { conflict, forbidden, unauthorized } from '@murmur/shared/errors';
import type { AuthUser } from '@murmur/shared/auth';
import type { Logger } from '@murmur/shared/logger';
import { isOutage } from '@murmur/shared/rate-limits';
import type { AuthConfig } from '../config.js';
import type { LoginLimiter } from '../login-limiter.js';
import type { MailQueue } from '../mail/outbox.js';
import type { Passwords } from '../passwords.js';
import type { TokenSigner } from '../tokens.js';
import { findTakenIdentifiers, findUserForLogin, insertUser, updatePasswordHash, type UserRecord, type UserWithPassword } from '../repos/users.repo.js';
import { insertSession, revokeSession } from '../repos/sessions.repo.js';

export interface AuthServiceDeps {
  db: Db;
  passwords: Passwords;
  tokens: TokenSigner;
  limiter: LoginLimiter;
  mail: MailQueue;
  config: AuthConfig;
  logger: Logger;
}

export interface SignedIn {
  user: UserRecord;
  token: string;
}

const usernameTaken = () => conflict('USERNAME_TAKEN', 'that username is taken');
const emailTaken = () => conflict('EMAIL_TAKEN', 'an account with that email exists');
const invalidCredentials = () => unauthorized('INVALID_CREDENTIALS', 'wrong login or password');
const accountSuspended = () => forbidden('ACCOUNT_SUSPENDED', 'a moderator has suspended this account');

async function startSession(deps: AuthServiceDeps, user: UserRecord): Promise<SignedIn> {
  const issued = deps.tokens.issue(user);
  const started = await insertSession(deps.db, { id: issued.sessionId, userId: user.id, expiresAt: issued.expiresAt });
  // Suspended (or deleted) since the password was checked.
  if (started === 'suspended') throw accountSuspended();
  if (started === 'gone') throw invalidCredentials();
  return { user, token: issued.token };
}

/**
 * An error that is not the user's doing (the database did not answer, or a fault of ours): the
 * attempt must not count against them.
 */

export async function register(
  deps: AuthServiceDeps,
  input: { username: string; email: string; password: string },
  clientAddress: string,
): Promise<SignedIn> {
  // Each registration costs a bcrypt hash; an address may not spend them without bound.
  return deps.limiter.registration(clientAddress, () => createAccount(deps, input));
}

async function createAccount(deps: AuthServiceDeps, input: { username: string; email: string; password: string }): Promise<SignedIn> {
  // Checked before hashing so a taken name costs no bcrypt time; the unique indexes still
  // decide a race between two registrations.
  const taken = await findTakenIdentifiers(deps.db, input.username, input.email);
  if (taken.usernameTaken) throw usernameTaken();
  if (taken.emailTaken) throw emailTaken();

  const passwordHash = await deps.passwords.hash(input.password);
  let user: UserRecord;
  try {
    user = await insertUser(deps.db, { username: input.username, email: input.email, passwordHash });
  } catch (err) {
    const pgError = pgErrorOf(err);
    if (pgError?.code === UNIQUE_VIOLATION) {
      throw pgError.constraint === 'users_email_lower_key' ? emailTaken() : usernameTaken();
    }
    throw err;
  }
  return startSession(deps, user);
}

export async function login(
  deps: AuthServiceDeps,
  input: ({ email: string } | { username: string }) & { password: string },
  clientAddress: string,
): Promise<SignedIn> {
  const attempt = await deps.limiter.beginLogin(clientAddress);
  try {
    const found = await findUserForLogin(deps.db, input);
    // Failures count per account, so its username and its email share one allowance; an
    // unknown identifier is counted under itself.
    const identifier = 'email' in input ? `email:${input.email}` : `username:${input.username}`;
    await deps.limiter.countAgainstAccount(attempt, found ? `user:${found.id}` : identifier.toLowerCase());
    const matches = await deps.passwords.verify(input.password, found?.passwordHash);
    if (!found || !matches) {
      // One answer for "no such user" and "wrong password", so accounts cannot be enumerated.
      throw invalidCredentials();
    }
    // Said only to whoever knows the password, so it tells nobody else the account is suspended.
    if (found.suspended) throw accountSuspended();
    await keepHashAtCost(deps, found, input.password);
    const { passwordHash, suspended, ...user } = found;
    const signedIn = await startSession(deps, user);
    await refundQuietly(deps, () => deps.limiter.loginSucceeded(attempt));
    return signedIn;
  } catch (err) {
    if (isOutage(err)) await refundQuietly(deps, () => deps.limiter.refund(attempt));
    throw err;
  }
}

/** Re-hashes a password whose hash is cheaper than the configured cost, now that it is known. */
async function keepHashAtCost(deps: AuthServiceDeps, user: UserWithPassword, password: string): Promise<void> {
  if (!deps.passwords.needsRehash(user.passwordHash)) return;
  await updatePasswordHash(deps.db, user.id, await deps.passwords.hash(password));
}

/** Refunds are best effort: if the store is down too, the count expires with its window. */
async function refundQuietly(deps: AuthServiceDeps, refund: () => Promise<void>): Promise<void> {
  try {
    await refund();
  } catch (err) {
    deps.logger.warn({ err }, 'could not refund a rate-limit count');
  }
}

export async function logout(deps: AuthServiceDeps, user: AuthUser): Promise<void> {
  await revokeSession(deps.db, user.sessionId, user.id);
}
