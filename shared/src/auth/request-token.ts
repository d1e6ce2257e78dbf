/**
 * Finds the access token on an HTTP request: `Authorization: Bearer …` first, then the auth
 * cookie. Works on an Express request and on the raw request of a WebSocket upgrade.
 */
import type { IncomingMessage } from 'node:http';
import cookieParser from 'cookie-parser';

/** The name of the HttpOnly cookie that carries the token, over plain HTTP. */
const AUTH_COOKIE_NAME = 'murmur_token';

/**
 * The auth cookie's name where it is set and read. Behind HTTPS (`COOKIE_SECURE=true`) it carries
 * the `__Host-` prefix: browsers accept such a cookie only if it is Secure, has Path=/ and no
 * Domain, so a sibling subdomain cannot plant or overwrite it.
 */
export function authCookieName(secure: boolean): string {
  return secure ? `__Host-${AUTH_COOKIE_NAME}` : AUTH_COOKIE_NAME;
}

export interface RequestToken {
  token: string;
  /** Cookie-carried tokens are subject to cross-site checks; bearer tokens are not. */
  via: 'bearer' | 'cookie';
}

type RequestWithCookies = IncomingMessage & { cookies?: Record<string, string | undefined> };

const parseCookies = cookieParser();

/**
 * `cookieSecure` names the one cookie read: with it, a plain `murmur_token` is ignored, since
 * anyone controlling a sibling subdomain could have set it.
 */
export function readRequestToken(req: RequestWithCookies, cookieSecure: boolean): RequestToken | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ? { token: match[1], via: 'bearer' } : undefined;
  }
  if (!req.cookies) {
    // The upgrade request of a WebSocket never passed through Express; cookie-parser only
    // reads and writes `req`, so it can be applied directly.
    parseCookies(req as Parameters<typeof parseCookies>[0], undefined as never, () => undefined);
  }
  const cookie = req.cookies?.[authCookieName(cookieSecure)];
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}
