/**
 * Verifies an access token: signature with the pinned algorithm, issuer, audience, a required
 * `exp`, well-formed claims, and a session that has not been revoked. Used by the Express
 * middleware and, as a plain function, by ws-service's upgrade handler.
 */
import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { unauthorized, AppError } from '../errors.js';
import { JWT_ALGORITHM } from './keys.js';
import type { ActiveSession } from './session-guard.js';

/** Who made the request. */
export interface AuthUser {
  id: number;
  /** The account's username, from the database (see SessionGuard), never from the token. */
  username: string;
  sessionId: string;
  /** When the token expires (ms since the epoch): nothing authenticated by it may outlive it. */
  expiresAtMs: number;
}

/**
 * The claims auth-service puts in every token, beside iss, aud, iat and exp. `name` (the username
 * at login) stays for the clients that read it from the token; the services never show it.
 */
export const tokenClaimsSchema = z.object({
  sub: z.string().regex(/^[1-9][0-9]{0,15}$/),
  sid: z.string().uuid(),
  name: z.string().min(1),
  exp: z.number(),
});

export interface SessionChecker {
  /** The session if it is valid for this user, else undefined. */
  activeSession(sessionId: string, userId: number): Promise<ActiveSession | undefined>;
}

export interface TokenVerifierOptions {
  publicKey: KeyObject;
  issuer: string;
  audience: string;
  sessions: SessionChecker;
}

export type VerifyToken = (token: string) => Promise<AuthUser>;

export function createTokenVerifier(options: TokenVerifierOptions): VerifyToken {
  const verifyOptions: jwt.VerifyOptions & { complete?: false } = {
    algorithms: [JWT_ALGORITHM],
    issuer: options.issuer,
    audience: options.audience,
  };

  return async function verifyToken(token: string): Promise<AuthUser> {
    let payload: unknown;
    try {
      payload = jwt.verify(token, options.publicKey, verifyOptions);
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw unauthorized('TOKEN_EXPIRED', 'the token has expired');
      throw unauthorized('TOKEN_INVALID', 'the token is not valid');
    }
    // jsonwebtoken accepts a token without `exp`; a token that never expires is refused here.
    const claims = tokenClaimsSchema.safeParse(payload);
    if (!claims.success) throw unauthorized('TOKEN_INVALID', 'the token is not valid');

    const userId = Number(claims.data.sub);
    const sessionId = claims.data.sid;
    let session: ActiveSession | undefined;
    try {
      session = await options.sessions.activeSession(sessionId, userId);
    } catch {
      throw new AppError(503, 'AUTH_UNAVAILABLE', 'sessions cannot be checked right now; try again');
    }
    if (!session) throw unauthorized('SESSION_REVOKED', 'the session has ended; log in again');
    return { id: userId, username: session.username, sessionId, expiresAtMs: claims.data.exp * 1000 };
  };
}
