/**
 * Test support for every package: the real user-service app on port 0 against the test
 * database. Not used by production code.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@murmur/shared/logger';
import { serveService, testEnv, type ServiceUnderTest } from '@murmur/shared/testing';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { openDeps, type ServiceDeps } from './deps.js';

export type UserServiceUnderTest = ServiceUnderTest<ServiceDeps>;

/**
 * One user-service instance; `env` overrides its environment. Its pictures go to a folder of its
 * own under the system's temporary folder unless `env` names one.
 */
export async function startUserService(env: Record<string, string> = {}): Promise<UserServiceUnderTest> {
  const mediaDir = env.MEDIA_LOCAL_DIR ?? mkdtempSync(path.join(tmpdir(), 'murmur-media-test-'));
  const deps = await openDeps(loadConfig(testEnv({ MEDIA_LOCAL_DIR: mediaDir, ...env })), createLogger('user-service', 'silent'));
  return serveService(deps, createApp(deps));
}

export * from './media/test-pictures.js';
