/** user-service configuration, read from the environment once at boot. */
import { z } from 'zod';
import { commonEnv, parseEnv, portEnv, readPemFromEnv } from '@murmur/shared/config';

const schema = z.object({
  ...commonEnv,
  PORT: portEnv(8082),
  /** Posts one account may publish per window (Mastodon allows 300 per 3 hours); shared by every instance. */
  POSTS_MAX_PER_WINDOW: z.coerce.number().int().positive().default(300),
  POSTS_WINDOW_SECONDS: z.coerce.number().int().positive().default(3 * 60 * 60),
});

export type ServiceConfig = z.infer<typeof schema> & { jwtPublicKeyPem: string };

export function loadConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  return { ...parseEnv(schema, env), jwtPublicKeyPem: readPemFromEnv(env, 'JWT_PUBLIC_KEY') };
}
