/** The rules of registering, logging in and logging out. */
import { pgErrorOf, UNIQUE_VIOLATION, type Db } from '@murmur/shared/db';
import { AppError, conflict, forbidden, unauthorized } from '@murmur/shared/errors';
import type { AuthUser } from '@murmur/shared/auth';
import type { Logger } from '@murmur/shared/logger';
import { isOutage } from '@murmur/shared/rate-limits';
import type { AuthConfig } from '../config.js';
import type { DeviceCookies } from '../device-cookies.js';
import { accountLimitKey, type LoginAttempt, type LoginLimiter } from '../login-limiter.js';
import type { MailQueue } from '../mail/outbox.js';
import { assertAcceptablePassword } from '../password-policy.js';
import type { Passwords } from '../passwords.js';
import type { TokenSigner } from '../tokens.js';
import { upgradePasswordHash } from '../repos/credentials.repo.js';
import { countFailedLogin, takeFailedLogins } from '../repos/failed-logins.repo.js';
import { findTakenIdentifiers, findUserForLogin, insertUser, type NewUser, type UserRecord, type UserWithPassword } from '../repos/users.repo.js';
import { insertSession, revokeSession, revokeSessionsBeyondNewest } from '../repos/sessions.repo.js';
import { queueEmailVerification } from './email-verification.service.js';
import { inBackground, quietly } from './password-check.js';
import { checkSecondFactor, TOTP_INVALID, TOTP_REQUIRED, type SecondFactorProof } from './two-factor.service.js';

export interface AuthServiceDeps {
  db: Db;
  passwords: Passwords;
  tokens: TokenSigner;
  limiter: LoginLimiter;
  devices: DeviceCookies;
  mail: MailQueue;
  config: AuthConfig;
  logger: Logger;
  /** The time in ms since the epoch, which TOTP codes are checked against; tests pin it. */
  now: () => number;
}

/** Where a registration or login comes from. */
export interface ClientInfo {
  /** Its address, as the per-address limits count it. */
  address: string;
  /** Its User-Agent, kept with the session for the owner's list of sessions. */
  userAgent: string | undefined;
  /** The device cookie it carried, if any (device-cookies.ts). */
  deviceCookie: string | undefined;
}

export interface SignedIn {
  user: UserRecord;
  token: string;
  /** A new device cookie naming the account, for the browser to keep. */
  deviceCookie: string;
}

export interface LoggedIn extends SignedIn {
  /** Failed logins against the account since its previous successful one. */
  failedLoginAttempts: number;
}

export type LoginInput = ({ email: string } | { username: string }) & SecondFactorProof & { password: string };

const usernameTaken = () => conflict('USERNAME_TAKEN', 'that username is taken');
const emailTaken = () => conflict('EMAIL_TAKEN', 'an account with that email exists');
const invalidCredentials = () => unauthorized('INVALID_CREDENTIALS', 'wrong login or password');
const accountSuspended = () => forbidden('ACCOUNT_SUSPENDED', 'a moderator has suspended this account');

const hasCode = (err: unknown, code: string) => err instanceof AppError && err.code === code;

/**
 * Starts a session for `user` if its credentials are still those of `credentialsVersion` (what
 * the login checked), ending the account's oldest session past SESSIONS_MAX_PER_ACCOUNT.
 */
async function startSession(deps: AuthServiceDeps, user: UserRecord, credentialsVersion: number, client: ClientInfo): Promise<SignedIn> {
  const issued = deps.tokens.issue(user);
  const started = await insertSession(deps.db, {
    id: issued.sessionId,
    userId: user.id,
    expiresAt: issued.expiresAt,
    userAgent: client.userAgent,
    credentialsVersion,
  });
  // Suspended since the password was checked; or deleted, or its password or second factor
  // changed: the password checked is no longer the way in, as if it had been wrong.
  if (started === 'suspended') throw accountSuspended();
  if (started !== 'started') throw invalidCredentials();
  await revokeSessionsBeyondNewest(deps.db, user.id, deps.config.SESSIONS_MAX_PER_ACCOUNT);
  return { user, token: issued.token, deviceCookie: deps.devices.issue(user.id, credentialsVersion) };
}

export async function register(
  deps: AuthServiceDeps,
  input: { username: string; email: string; password: string },
  client: ClientInfo,
): Promise<SignedIn> {
  assertAcceptablePassword(input.password);
  // Each registration costs a bcrypt hash; an address may not spend them without bound.
  return deps.limiter.registration(client.address, () => createAccount(deps, input, client));
}

async function createAccount(deps: AuthServiceDeps, input: { username: string; email: string; password: string }, client: ClientInfo): Promise<SignedIn> {
  // Checked before hashing so a taken name costs no bcrypt time; the unique indexes still
  // decide a race between two registrations.
  const taken = await findTakenIdentifiers(deps.db, input.username, input.email);
  if (taken.usernameTaken) throw usernameTaken();
  if (taken.emailTaken) throw emailTaken();

  const passwordHash = await deps.passwords.hash(input.password);
  let user: NewUser;
  try {
    // One transaction: no account ever exists without its verification mail on the way.
    user = await deps.db.transaction(async (tx) => {
      const inserted = await insertUser(tx, { username: input.username, email: input.email, passwordHash });
      await queueEmailVerification(deps, tx, { id: inserted.id, email: inserted.email });
      return inserted;
    });
  } catch (err) {
    const pgError = pgErrorOf(err);
    if (pgError?.code === UNIQUE_VIOLATION) {
      throw pgError.constraint === 'users_email_lower_key' ? emailTaken() : usernameTaken();
    }
    throw err;
  }
  const { credentialsVersion, ...account } = user;
  return startSession(deps, account, credentialsVersion, client);
}

export async function login(deps: AuthServiceDeps, input: LoginInput, client: ClientInfo): Promise<LoggedIn> {
  const found = await findUserForLogin(deps.db, input);
  // A device cookie counts only for the account it names, under the credentials it was set
  // with; any other is an unknown device. Counted before bcrypt runs: failures against that
  // device alone, or else the address and the account.
  const device = deps.devices.read(client.deviceCookie);
  const knownDevice = found && device?.userId === found.id && device.credentialsVersion === found.credentialsVersion ? device : undefined;
  const attempt = knownDevice
    ? await deps.limiter.beginOnKnownDevice(client.address, knownDevice.deviceId)
    : await deps.limiter.beginLogin(client.address);
  try {
    if (!knownDevice) await countAgainstAccount(deps, attempt, input, found);
    const account = await authenticate(deps, input, found);
    await keepHashAtCost(deps, account, input.password);
    const { passwordHash, suspended, totpSecret, credentialsVersion, ...user } = account;
    const signedIn = await startSession(deps, user, credentialsVersion, client);
    await quietly(deps, 'could not refund a rate-limit count', () => deps.limiter.succeeded(attempt));
    return { ...signedIn, failedLoginAttempts: await takeFailedLogins(deps.db, account.id) };
  } catch (err) {
    await quietly(deps, 'could not settle a rate-limit count', () => settleFailedAttempt(deps, attempt, err));
    if (found && (hasCode(err, 'INVALID_CREDENTIALS') || hasCode(err, TOTP_INVALID))) {
      // Not awaited: the answer must take as long whether or not the account exists.
      inBackground(deps, 'could not count a failed login for its owner', () => countFailedLogin(deps.db, found.id));
    }
    throw err;
  }
}

/** What a login that did not succeed leaves counted, by why it failed. */
function settleFailedAttempt(deps: AuthServiceDeps, attempt: LoginAttempt, err: unknown): Promise<void> {
  if (isOutage(err)) return deps.limiter.outage(attempt);
  if (hasCode(err, TOTP_REQUIRED)) return deps.limiter.awaitingSecondFactor(attempt);
  return deps.limiter.failed(attempt);
}

/**
 * Failures from unknown devices count per account, so its username and its email share one
 * allowance; an unknown identifier is counted under itself.
 */
async function countAgainstAccount(deps: AuthServiceDeps, attempt: LoginAttempt, input: LoginInput, found: UserWithPassword | undefined): Promise<void> {
  const identifier = 'email' in input ? `email:${input.email}` : `username:${input.username}`;
  await deps.limiter.countAgainstAccount(attempt, found ? accountLimitKey(found.id) : identifier.toLowerCase());
}

/** The account, once the password and the second factor are right; throws otherwise. */
async function authenticate(deps: AuthServiceDeps, input: LoginInput, found: UserWithPassword | undefined): Promise<UserWithPassword> {
  const matches = await deps.passwords.verify(input.password, found?.passwordHash);
  // One answer for "no such user" and "wrong password", so accounts cannot be enumerated.
  if (!found || !matches) throw invalidCredentials();
  // Said only to whoever knows the password, so it tells nobody else the account is suspended;
  // and before the second factor, so a suspended account's login uses up no code.
  if (found.suspended) throw accountSuspended();
  if (found.totpSecret !== null) await checkSecondFactor(deps, { id: found.id, email: found.email, totpSecret: found.totpSecret }, input);
  return found;
}

/** Re-hashes a password whose hash is cheaper than the configured cost, now that it is known. */
async function keepHashAtCost(deps: AuthServiceDeps, user: UserWithPassword, password: string): Promise<void> {
  if (!deps.passwords.needsRehash(user.passwordHash)) return;
  await upgradePasswordHash(deps.db, user.id, { from: user.passwordHash, to: await deps.passwords.hash(password) });
}

export async function logout(deps: AuthServiceDeps, user: AuthUser): Promise<void> {
  await revokeSession(deps.db, user.sessionId, user.id);
}
