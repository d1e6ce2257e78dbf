/**
 * What auth-service's routes need of a browser's request: refusing other sites' pages, and the
 * attributes of the cookies it sets and clears (one place, so a cookie is cleared with exactly
 * the attributes it was set with, as browsers require).
 */
import type { CookieOptions, Request, Response } from 'express';
import { authCookieName } from '@murmur/shared/auth';
import { forbidden } from '@murmur/shared/errors';
import { isCrossSiteRequest } from '@murmur/shared/http';
import type { AuthRoutesOptions } from './auth.routes.js';

export interface BrowserRequests {
  /** The auth and device cookies' attributes (Max-Age apart). */
  cookie: CookieOptions;
  /** The auth cookie's name: `__Host-` prefixed with COOKIE_SECURE. */
  authCookie: string;
  /**
   * A page on another site must not be able to log a visitor into an account it controls, spend
   * an address's reset requests, or use a link it got hold of: 403 `CROSS_SITE_REQUEST`.
   */
  refuseCrossSite: (req: Request) => void;
  /** Logs the browser out: the auth cookie goes (the device cookie stays). */
  clearAuthCookie: (res: Response) => void;
}

export function browserRequests(options: Pick<AuthRoutesOptions, 'allowedOrigins' | 'cookieSecure'>): BrowserRequests {
  const cookie: CookieOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure: options.cookieSecure };
  const authCookie = authCookieName(options.cookieSecure);
  return {
    cookie,
    authCookie,
    refuseCrossSite: (req) => {
      if (isCrossSiteRequest(req, options.allowedOrigins)) throw forbidden('CROSS_SITE_REQUEST', 'requests from other sites are refused');
    },
    clearAuthCookie: (res) => {
      res.clearCookie(authCookie, cookie);
    },
  };
}
