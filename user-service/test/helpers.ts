/** Starts the real user-service app (and auth-service, for tokens) against the test database. */
import { createLogger } from '@murmur/shared/logger';
import { serve, testEnv } from '@murmur/shared/testing';
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

/** `userEnv` overrides user-service's environment (say, a DATABASE_URL through a fault proxy). */
export async function startServices(userEnv: Record<string, string> = {}): Promise<Services> {
  const auth = await startAuthService();
  const userDeps = await openDeps(loadConfig(testEnv(userEnv)), createLogger('user-service', 'silent'));
  const served = await serve(createApp(userDeps));
  return {
    auth,
    userUrl: served.url,
    userDeps,
    async close() {
      await served.close();
      await userDeps.close();
      await auth.close();
    },
  };
}
