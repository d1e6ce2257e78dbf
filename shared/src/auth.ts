/**
 * Authentication, as every service needs it: the token verifier, the session guard that rejects
 * revoked sessions, the auth events (logout, account deletion) that keep its cache honest, and
 * the recorder of when each session was last used. `openTokenVerification` wires them from the
 * public key and the database.
 */
import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from './logger.js';
import { subscribeAuthEvents, type AuthEventsSubscriber } from './auth/auth-events.js';
import { SessionGuard } from './auth/session-guard.js';
import { SessionUseRecorder } from './auth/session-use.js';
import { createTokenVerifier, type VerifyToken } from './auth/token-verifier.js';

export * from './auth/keys.js';
export * from './auth/token-verifier.js';
export * from './auth/session-guard.js';
export * from './auth/session-use.js';
export * from './auth/auth-events.js';
export * from './auth/request-token.js';

export interface TokenVerification {
  verifyToken: VerifyToken;
  /** Auth events (logout, account deletion), for services that must react, e.g. close sockets. */
  authEvents: AuthEventsSubscriber;
  close(): Promise<void>;
}

export interface TokenVerificationOptions {
  databaseUrl: string;
  pool: pg.Pool;
  publicKey: KeyObject;
  issuer: string;
  audience: string;
  logger: Logger;
}

export async function openTokenVerification(options: TokenVerificationOptions): Promise<TokenVerification> {
  const authEvents = await subscribeAuthEvents(options.databaseUrl, options.logger);
  const uses = new SessionUseRecorder({ pool: options.pool, logger: options.logger });
  const sessions = new SessionGuard(options.pool, authEvents, uses);
  const verifyToken = createTokenVerifier({
    publicKey: options.publicKey,
    issuer: options.issuer,
    audience: options.audience,
    sessions,
  });
  return {
    verifyToken,
    authEvents,
    async close() {
      await authEvents.stop();
      // The pool is closed after this: the last uses are written while it is still open.
      await uses.flush();
    },
  };
}
