/**
 * What every service opens at boot: the database pool and token verification; the services that
 * search, their search pool too. A service adds its own dependencies on top.
 */
import type { KeyObject } from 'node:crypto';
import { openDatabase, type Database } from './db/client.js';
import { loadPublicKey, openTokenVerification, type TokenVerification } from './auth.js';
import type { Logger } from './logger.js';
import { openSearchDeps, type SearchConfig, type SearchDeps } from './search/search-deps.js';

export interface PlatformConfig {
  DATABASE_URL: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  /** Unset: openDatabase's defaults (what commonEnv defaults to). */
  DB_POOL_SIZE?: number;
  DB_QUERY_TIMEOUT_MS?: number;
  DB_CONNECT_TIMEOUT_MS?: number;
  READY_TIMEOUT_MS?: number;
}

export interface Platform {
  database: Database;
  verification: TokenVerification;
  close(): Promise<void>;
}

export async function openPlatform(config: PlatformConfig, publicKey: KeyObject, logger: Logger): Promise<Platform> {
  const database = openDatabase({
    url: config.DATABASE_URL,
    logger,
    maxConnections: config.DB_POOL_SIZE,
    queryTimeoutMs: config.DB_QUERY_TIMEOUT_MS,
    connectionTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    readyTimeoutMs: config.READY_TIMEOUT_MS,
  });
  try {
    const verification = await openTokenVerification({
      databaseUrl: config.DATABASE_URL,
      pool: database.pool,
      publicKey,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      logger,
    });
    return {
      database,
      verification,
      async close() {
        await verification.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/**
 * What user-service and ws-service open: the platform, verifying with the public key from config,
 * and the search pool, which keeps their searches off the connections of everything else.
 */
export interface ServiceDeps<C> extends Platform {
  config: C;
  logger: Logger;
  search: SearchDeps;
}

export async function openServiceDeps<C extends PlatformConfig & SearchConfig & { jwtPublicKeyPem: string }>(
  config: C,
  logger: Logger,
): Promise<ServiceDeps<C>> {
  const platform = await openPlatform(config, loadPublicKey(config.jwtPublicKeyPem), logger);
  const search = openSearchDeps(config, logger);
  return {
    ...platform,
    config,
    logger,
    search,
    async close() {
      await search.close();
      await platform.close();
    },
  };
}
