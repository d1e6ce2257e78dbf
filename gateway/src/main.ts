/** Gateway entry point: read config, serve the web client and the API on one port, stop cleanly on SIGTERM. */
import { exitOnBootError } from '@murmur/shared/config';
import { closeServer, createHttpServer, listenOn, shutdownOnSignal } from '@murmur/shared/http';
import { createLogger } from '@murmur/shared/logger';
import { createGateway } from './app.js';
import { loadConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const gateway = createGateway(config, logger);
  const server = createHttpServer(gateway.handler, config, gateway.onUpgrade);
  await listenOn(server, config.PORT, '0.0.0.0', config.LISTEN_BACKLOG);
  shutdownOnSignal(logger, [
    async () => {
      gateway.close();
      await closeServer(server);
    },
  ]);
  // Announced only once SIGTERM is handled, so a supervisor never kills a half-started gateway.
  logger.info({ port: config.PORT, webClient: config.WEB_DIST_DIR }, 'gateway listening');
}

main().catch(exitOnBootError);
