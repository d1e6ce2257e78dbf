/** Starts the real user-service app (and auth-service, for tokens) against the test database. */
import { createLogger } from '@murmur/shared/logger';
import { serveService, testEnv, type ServiceUnderTest } from '@murmur/shared/testing';
import { startAuthService, type AuthUnderTest } from '@murmur/auth-service/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDeps, type ServiceDeps } from '../src/deps.js';

export interface Services {
  auth: AuthUnderTest;
  userUrl: string;
  userDeps: ServiceDeps;
  close(): Promise<void>;
}

export type UserServiceUnderTest = ServiceUnderTest<ServiceDeps>;

/** One user-service instance; `env` overrides its environment. */
export async function startUserService(env: Record<string, string> = {}): Promise<UserServiceUnderTest> {
  const deps = await openDeps(loadConfig(testEnv(env)), createLogger('user-service', 'silent'));
  return serveService(deps, createApp(deps));
}

/** `userEnv` overrides user-service's environment (say, a DATABASE_URL through a fault proxy). */
export async function startServices(userEnv: Record<string, string> = {}): Promise<Services> {
  const auth = await startAuthService();
  const user = await startUserService(userEnv);
  return {
    auth,
    userUrl: user.url,
    userDeps: user.deps,
    async close() {
      await user.close();
      await auth.close();
    },
  };
}
