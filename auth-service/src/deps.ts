/** Opens everything auth-service depends on, from its config; main.ts and the tests share it. */
import { createPublicKey } from 'node:crypto';
import { loadPrivateKey } from '@murmur/shared/auth';
import type { Logger } from '@murmur/shared/logger';
import { openPlatform, type Platform } from '@murmur/shared/platform';
import type { AuthConfig } from './config.js';
import { createDeviceCookies } from './device-cookies.js';
import { LoginLimiter } from './login-limiter.js';
import { createMailSender } from './mail/outbox.js';
import { createPasswords } from './passwords.js';
import type { AuthServiceDeps } from './services/auth.service.js';
import { createTokenSigner } from './tokens.js';

export interface AuthDeps extends Platform {
  config: AuthConfig;
  logger: Logger;
  service: AuthServiceDeps;
}

export async function openDeps(config: AuthConfig, logger: Logger): Promise<AuthDeps> {
  const privateKey = loadPrivateKey(config.jwtPrivateKeyPem);
  const passwords = await createPasswords(config.BCRYPT_COST);
  const platform = await openPlatform(config, createPublicKey(privateKey), logger);
  const mail = createMailSender({ db: platform.database.db, config, logger });
  mail.start();
  return {
    ...platform,
    async close() {
      await mail.close();
      await platform.close();
    },
    config,
    logger,
    service: {
      db: platform.database.db,
      passwords,
      tokens: createTokenSigner({
        privateKey,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        ttlSeconds: config.JWT_TTL_SECONDS,
      }),
      limiter: new LoginLimiter({
        pool: platform.database.pool,
        keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
        maxFailuresPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
        maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
        maxFailuresPerDevice: config.LOGIN_MAX_FAILURES_PER_DEVICE,
        maxSuccessesPerAddress: config.LOGIN_MAX_SUCCESSES_PER_ADDRESS,
        maxRegistrationsPerAddress: config.REGISTER_MAX_PER_ADDRESS,
        windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
        logger,
      }),
      devices: createDeviceCookies({ privateKey, ttlDays: config.DEVICE_COOKIE_TTL_DAYS, secure: config.COOKIE_SECURE }),
      mail,
      config,
      logger,
      now: Date.now,
    },
  };
}
