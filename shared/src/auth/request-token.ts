/**
 * Finds the access token on an HTTP request: `Authorization: Bearer …` first, then the auth
 * cookie. Works on an Express request and on the raw request of a WebSocket upgrade.
 */
import type { IncomingMessage } from 'node:http';
import cookieParser from 'cookie-parser';

/** The name of the HttpOnly cookie that carries the token. */
export const AUTH_COOKIE_NAME = 'murmur_token';

export interface RequestToken {
  token: string;
  /** Cookie-carried tokens are subject to cross-site checks; bearer tokens are not. */
  via: 'bearer' | 'cookie';
}

type RequestWithCookies = IncomingMessage & { cookies?: Record<string, string | undefined> };

const parseCookies = cookieParser();

export function readRequestToken(req: RequestWithCookies): RequestToken | undefined {
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
  const cookie = req.cookies?.[AUTH_COOKIE_NAME];
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}
