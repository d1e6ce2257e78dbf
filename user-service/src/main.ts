/** user-service entry point: read config, open the database, serve, stop cleanly on SIGTERM. */
import { exitOnBootError } from '@murmur/shared/config';
import { closeServer, listen, shutdownOnSignal } from '@murmur/shared/http';
import { createLogger } from '@murmur/shared/logger';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { openDeps } from './deps.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger('user-service', config.LOG_LEVEL);
  const deps = await openDeps(config, logger);
  const server = await listen(createApp(deps), config);
  shutdownOnSignal(logger, [() => closeServer(server), () => deps.close()]);
  // Announced only once SIGTERM is handled, so a supervisor never kills a half-started service.
  logger.info({ port: config.PORT }, 'user-service listening');
}

main().catch(exitOnBootError);
