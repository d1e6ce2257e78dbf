/** Express middleware that authenticates requests with the shared token verifier. */
import type { RequestHandler } from 'express';
import { forbidden, unauthorized } from '../errors.js';
import type { AuthUser, VerifyToken } from '../auth/token-verifier.js';
import { readRequestToken } from '../auth/request-token.js';
import { isCrossSiteRequest, isSafeMethod } from './origin.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requireAuth (always) and optionalAuth (when a valid token came). */
    user?: AuthUser;
  }
}

export interface AuthMiddlewareOptions {
  verifyToken: VerifyToken;
  allowedOrigins: readonly string[];
  /** COOKIE_SECURE: the token is read from the `__Host-` cookie only (see authCookieName). */
  cookieSecure: boolean;
}

export interface AuthMiddleware {
  /** 401 without a valid token; 403 for a cookie-authenticated change from a cross-site page. */
  requireAuth: RequestHandler;
  /** Sets req.user when a valid token is present; an invalid one is still a 401. */
  optionalAuth: RequestHandler;
}

export function createAuthMiddleware(options: AuthMiddlewareOptions): AuthMiddleware {
  const authenticate = (required: boolean): RequestHandler =>
    async function auth(req, _res, next) {
      const found = readRequestToken(req, options.cookieSecure);
      if (!found) {
        if (required) throw unauthorized('AUTH_REQUIRED', 'log in first: send a Bearer token or the auth cookie');
        return next();
      }
      if (found.via === 'cookie' && !isSafeMethod(req.method) && isCrossSiteRequest(req, options.allowedOrigins)) {
        throw forbidden('CROSS_SITE_REQUEST', 'cookie-authenticated changes are refused from other sites');
      }
      req.user = await options.verifyToken(found.token);
      next();
    };
  return { requireAuth: authenticate(true), optionalAuth: authenticate(false) };
}

/** The authenticated user of a route behind requireAuth. */
export function currentUser(req: { user?: AuthUser }): AuthUser {
  if (!req.user) throw unauthorized('AUTH_REQUIRED', 'log in first');
  return req.user;
}
