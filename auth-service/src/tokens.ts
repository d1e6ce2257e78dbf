/** Signs access tokens. auth-service is the only code that holds the private key. */
import { randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JWT_ALGORITHM } from '@murmur/shared/auth';

export interface IssuedToken {
  token: string;
  sessionId: string;
  expiresAt: Date;
}

export interface TokenSigner {
  /** Seconds a token lives; also the cookie's Max-Age. */
  readonly ttlSeconds: number;
  issue(user: { id: number; username: string }): IssuedToken;
}

export function createTokenSigner(options: {
  privateKey: KeyObject;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}): TokenSigner {
  return {
    ttlSeconds: options.ttlSeconds,
    issue(user) {
      const sessionId = randomUUID();
      const issuedAt = Math.floor(Date.now() / 1000);
      const expiresAtSeconds = issuedAt + options.ttlSeconds;
      const token = jwt.sign(
        { sub: String(user.id), sid: sessionId, name: user.username, iat: issuedAt, exp: expiresAtSeconds },
        options.privateKey,
        { algorithm: JWT_ALGORITHM, issuer: options.issuer, audience: options.audience },
      );
      return { token, sessionId, expiresAt: new Date(expiresAtSeconds * 1000) };
    },
  };
}
