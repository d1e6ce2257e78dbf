/**
 * auth-service configuration, read from the environment once at boot. Each variable says what
 * it is for in `.describe()`, which docs/configuration.md is generated from.
 */
import { z } from 'zod';
import { commonEnv, parseEnv, portEnv, readPemFromEnv } from '@murmur/shared/config';

export const envSchema = z.object({
  ...commonEnv,
  PORT: portEnv(8081),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12).describe('bcrypt work factor (4–15); each +1 doubles the time a hash takes'),
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 24 * 3600).default(24 * 3600).describe('token and cookie lifetime'),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('failed logins per account (its username and email count together) per window before 429; shared by every instance'),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(50).describe('failed logins per client address per window before 429'),
  REGISTER_MAX_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('registrations per client address per window before 429 (each costs a bcrypt hash)'),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(15 * 60).describe('length of the login and registration windows'),
});

/** The signing key, given inline or as a file (`JWT_PRIVATE_KEY_FILE`); read beside the schema. */
export const PEM_KEY_ENV = 'JWT_PRIVATE_KEY';

export type AuthConfig = z.infer<typeof envSchema> & { jwtPrivateKeyPem: string };

export function loadConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const parsed = parseEnv(envSchema, env);
  return { ...parsed, jwtPrivateKeyPem: readPemFromEnv(env, PEM_KEY_ENV) };
}
