/** Starts the real user-service app (and auth-service, for tokens) against the test database. */
import { startAuthService, type AuthUnderTest } from '@murmur/auth-service/testing';
import type { ServiceDeps } from '../src/deps.js';
import { startUserService } from '../src/testing.js';

export { startUserService, type UserServiceUnderTest } from '../src/testing.js';

export interface Services {
  auth: AuthUnderTest;
  userUrl: string;
  userDeps: ServiceDeps;
  close(): Promise<void>;
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
