/** auth-service configuration, read from the environment once at boot. */
import { z } from 'zod';
import { commonEnv, parseEnv, portEnv, readPemFromEnv } from '@murmur/shared/config';

const schema = z.object({
  ...commonEnv,
  PORT: portEnv(8081),
  /** bcrypt work factor; each +1 doubles the time a hash takes. */
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  /** Token and cookie lifetime. */
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 24 * 3600).default(24 * 3600),
  /** Failed logins allowed per account, and per client address, within one window. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(50),
  /** Registrations allowed per client address within one window (each costs a bcrypt hash). */
  REGISTER_MAX_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(15 * 60),
});

export type AuthConfig = z.infer<typeof schema> & { jwtPrivateKeyPem: string };

export function loadConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const parsed = parseEnv(schema, env);
  return { ...parsed, jwtPrivateKeyPem: readPemFromEnv(env, 'JWT_PRIVATE_KEY') };
}
