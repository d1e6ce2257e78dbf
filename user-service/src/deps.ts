/** Opens everything user-service depends on, from its config; main.ts and the tests share it. */
import type { Logger } from '@murmur/shared/logger';
import { openServiceDeps, type ServiceDeps as Deps } from '@murmur/shared/platform';
import type { ServiceConfig } from './config.js';

export type ServiceDeps = Deps<ServiceConfig>;

export function openDeps(config: ServiceConfig, logger: Logger): Promise<ServiceDeps> {
  return openServiceDeps(config, logger);
}
