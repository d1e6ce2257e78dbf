/**
 * Test support for every package: the real user-service app on port 0 against the test
 * database. Not used by production code.
 */
import { createLogger } from '@murmur/shared/logger';
import { serveService, testEnv, type ServiceUnderTest } from '@murmur/shared/testing';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { openDeps, type ServiceDeps } from './deps.js';

export type UserServiceUnderTest = ServiceUnderTest<ServiceDeps>;

/** One user-service instance; `env` overrides its environment. */
export async function startUserService(env: Record<string, string> = {}): Promise<UserServiceUnderTest> {
  const deps = await openDeps(loadConfig(testEnv(env)), createLogger('user-service', 'silent'));
  return serveService(deps, createApp(deps));
}
