/**
 * Test support for every package: the real auth-service app on port 0 against the test
 * database, and users registered through its API. Not used by production code.
 */
import { serveService, testEnv, uniqueName, api, type ServiceUnderTest } from '@murmur/shared/testing';
import { createLogger } from '@murmur/shared/logger';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { openDeps, type AuthDeps } from './deps.js';

export type AuthUnderTest = ServiceUnderTest<AuthDeps>;

/**
 * bcrypt cost 4 keeps tests fast; tests about bcrypt's timing raise it. Each instance counts its
 * rate limits apart (every test signs in from 127.0.0.1); give two the same
 * RATE_LIMIT_KEY_PREFIX to make them share.
 */
export async function startAuthService(env: Record<string, string> = {}): Promise<AuthUnderTest> {
  // Tests register many users from one address; the tests of that limit lower it again.
  const config = loadConfig(
    testEnv({ BCRYPT_COST: '4', REGISTER_MAX_PER_ADDRESS: '100000', RATE_LIMIT_KEY_PREFIX: uniqueName('limits'), ...env }),
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
  cookie: string;
}

/** Registers a fresh user through the API. */
export async function registerUser(authUrl: string, prefix = 'user'): Promise<RegisteredUser> {
  const username = uniqueName(prefix);
  const email = `${username}@example.com`;
  const password = 'correct horse battery';
  const res = await api(authUrl, 'POST', '/register', { body: { username, email, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, username, email, password, token: res.body.token, cookie: cookieFrom(res.headers) };
}

/** The auth cookie a response set, as a Cookie header value. */
export function cookieFrom(headers: Headers): string {
  const setCookie = headers.getSetCookie().find((c) => c.startsWith('murmur_token='));
  if (!setCookie) throw new Error('no auth cookie set');
  return setCookie.split(';')[0]!;
}
