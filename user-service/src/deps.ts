/** Opens everything user-service depends on, from its config; main.ts and the tests share it. */
import { loadPublicKey } from '@murmur/shared/jwt';
import type { Logger } from '@murmur/shared/logger';
import { openPlatform, type Platform } from '@murmur/shared/platform';
import type { ServiceConfig } from './config.js';

export interface ServiceDeps extends Platform {
  config: ServiceConfig;
  logger: Logger;
}

export async function openDeps(config: ServiceConfig, logger: Logger): Promise<ServiceDeps> {
  const platform = await openPlatform(config, loadPublicKey(config.jwtPublicKeyPem), logger);
  return { ...platform, config, logger };
}
