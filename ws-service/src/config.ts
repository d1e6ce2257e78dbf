/** ws-service configuration, read from the environment once at boot. */
import { z } from 'zod';
import { commonEnv, parseEnv, portEnv, readPemFromEnv } from '@murmur/shared/config';

const schema = z.object({
  ...commonEnv,
  PORT: portEnv(8083),
});

export type ServiceConfig = z.infer<typeof schema> & { jwtPublicKeyPem: string };

export function loadConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  return { ...parseEnv(schema, env), jwtPublicKeyPem: readPemFromEnv(env, 'JWT_PUBLIC_KEY') };
}
