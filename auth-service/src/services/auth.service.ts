/** The rules of registering, logging in and logging out. */
import { pgErrorOf, UNIQUE_VIOLATION, type Db } from '@murmur/shared/db';
import { conflict, unauthorized } from '@murmur/shared/errors';
import type { AuthUser } from '@murmur/shared/jwt';
import type { LoginLimiter } from '../login-limiter.js';
import type { Passwords } from '../passwords.js';
import type { TokenSigner } from '../tokens.js';
import { findTakenIdentifiers, findUserForLogin, insertUser, type UserRecord } from '../repos/users.repo.js';
import { insertSession, revokeSession } from '../repos/sessions.repo.js';

export interface AuthServiceDeps {
  db: Db;
  passwords: Passwords;
  tokens: TokenSigner;
  limiter: LoginLimiter;
}

export interface SignedIn {
  user: UserRecord;
  token: string;
}

const usernameTaken = () => conflict('USERNAME_TAKEN', 'that username is taken');
const emailTaken = () => conflict('EMAIL_TAKEN', 'an account with that email exists');

async function startSession(deps: AuthServiceDeps, user: UserRecord): Promise<SignedIn> {
  const issued = deps.tokens.issue(user);
  await insertSession(deps.db, { id: issued.sessionId, userId: user.id, expiresAt: issued.expiresAt });
  return { user, token: issued.token };
}

export async function register(
  deps: AuthServiceDeps,
  input: { username: string; email: string; password: string },
  clientAddress: string,
): Promise<SignedIn> {
  // Each registration costs a bcrypt hash; an address may not spend them without bound.
  deps.limiter.beginRegistration(clientAddress);
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
  const account = ('email' in input ? `email:${input.email}` : `username:${input.username}`).toLowerCase();
  deps.limiter.beginLogin(account, clientAddress);

  const found = await findUserForLogin(deps.db, input);
  const matches = await deps.passwords.verify(input.password, found?.passwordHash);
  if (!found || !matches) {
    // One answer for "no such user" and "wrong password", so accounts cannot be enumerated.
    throw unauthorized('INVALID_CREDENTIALS', 'wrong login or password');
  }
  deps.limiter.loginSucceeded(account, clientAddress);
  const { passwordHash, ...user } = found;
  return startSession(deps, user);
}

export async function logout(deps: AuthServiceDeps, user: AuthUser): Promise<void> {
  await revokeSession(deps.db, user.sessionId, user.id);
}
