/**
 * Test support for every package: the real auth-service app on port 0 against the test
 * database, and users registered through its API. Not used by production code.
 */
import os from 'node:os';
import path from 'node:path';
import { serveService, testEnv, uniqueName, api, type ServiceUnderTest } from '@murmur/shared/testing';
import { authCookieName } from '@murmur/shared/auth';
import { createLogger } from '@murmur/shared/logger';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { openDeps, type AuthDeps } from './deps.js';
import { deviceCookieName } from './device-cookies.js';

export type AuthUnderTest = ServiceUnderTest<AuthDeps>;

/**
 * Where the mail of a test's service goes when the test gives it no SMTP_URL: out of the
 * repository. Tests that read their mail give their own server and outbox (`mail/test-*.ts`).
 */
const TEST_MAIL_DIR = path.join(os.tmpdir(), 'murmur-test-mail');

/**
 * bcrypt cost 4 keeps tests fast; tests about bcrypt's timing raise it. Each instance counts its
 * rate limits apart (every test signs in from 127.0.0.1); give two the same
 * RATE_LIMIT_KEY_PREFIX to make them share.
 */
export async function startAuthService(env: Record<string, string> = {}): Promise<AuthUnderTest> {
  // Tests register and log in many users from one address; the tests of those limits lower them again.
  const config = loadConfig(
    testEnv({
      BCRYPT_COST: '4',
      REGISTER_MAX_PER_ADDRESS: '100000',
      LOGIN_MAX_SUCCESSES_PER_ADDRESS: '100000',
      RATE_LIMIT_KEY_PREFIX: uniqueName('limits'),
      MAIL_DEV_DIR: TEST_MAIL_DIR,
      ...env,
    }),
  );
  const deps = await openDeps(config, createLogger('auth-service', 'silent'));
  return serveService(deps, createApp(deps));
}

export interface RegisteredUser {
  id: number;
  username: string;
  email: string;
  password: string;
  token: string;
  /** The auth cookie, as a Cookie header value. */
  cookie: string;
  /** The device cookie registering set, as a Cookie header value: this is a known device of the account. */
  deviceCookie: string;
}

/** Registers a fresh user through the API. */
export async function registerUser(authUrl: string, prefix = 'user'): Promise<RegisteredUser> {
  const username = uniqueName(prefix);
  const email = `${username}@example.com`;
  const password = 'correct horse battery';
  const res = await api(authUrl, 'POST', '/register', { body: { username, email, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, username, email, password, token: res.body.token, cookie: cookieFrom(res.headers), deviceCookie: deviceCookieFrom(res.headers) };
}

/** The cookie `name` a response set, as a Cookie header value (`name=value`). */
function setCookieNamed(headers: Headers, name: string): string | undefined {
  return headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];
}

/** The auth cookie a response set (under either of its names), as a Cookie header value. */
export function cookieFrom(headers: Headers): string {
  const cookie = setCookieNamed(headers, authCookieName(false)) ?? setCookieNamed(headers, authCookieName(true));
  if (!cookie) throw new Error('no auth cookie set');
  return cookie;
}

/** The device cookie a response set (under either of its names), as a Cookie header value. */
export function deviceCookieFrom(headers: Headers): string {
  const cookie = setCookieNamed(headers, deviceCookieName(false)) ?? setCookieNamed(headers, deviceCookieName(true));
  if (!cookie) throw new Error('no device cookie set');
  return cookie;
}

/**
 * Counts the password comparisons (bcrypt runs) `auth` makes from now on, to show that a refused
 * attempt never reached bcrypt; `restore` stops counting.
 */
export function countPasswordChecks(auth: AuthUnderTest): { readonly count: number; restore(): void } {
  const passwords = auth.deps.service.passwords;
  const verify = passwords.verify.bind(passwords);
  let count = 0;
  passwords.verify = (password, hash) => {
    count += 1;
    return verify(password, hash);
  };
  return {
    get count() {
      return count;
    },
    restore: () => {
      passwords.verify = verify;
    },
  };
}

/** What tests of other packages need to read the mail a service sends. */
export { privateMailOutbox } from './mail/test-outbox.js';
export { linkIn, parseMail, type ReceivedMail } from './mail/test-smtp-server.js';
