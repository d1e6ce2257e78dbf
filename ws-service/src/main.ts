/** ws-service entry point: read config, open the database, serve, stop cleanly on SIGTERM. */
import { exitOnBootError } from '@murmur/shared/config';
import { shutdownOnSignal } from '@murmur/shared/http';
import { createLogger } from '@murmur/shared/logger';
import { loadConfig } from './config.js';
import { openDeps } from './deps.js';
import { createWsServer } from './ws-server.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger('ws-service', config.LOG_LEVEL);
  const deps = await openDeps(config, logger);
  const service = createWsServer(deps);
  const port = await service.listen(config.PORT);
  shutdownOnSignal(logger, [() => service.shutdown(), () => deps.close()]);
  // Announced only once SIGTERM is handled, so a supervisor never kills a half-started service.
  logger.info({ port, cluster: config.REDIS_URL ? 'redis' : 'single instance' }, 'ws-service listening');
}

main().catch(exitOnBootError);
