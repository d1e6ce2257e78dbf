/**
 * Cross-site request refusal. A browser attaches cookies to requests another site triggers;
 * such a request must not change state (CSRF) or open a WebSocket (cross-site WebSocket hijacking).
 */
import type { IncomingMessage } from 'node:http';

/**
 * True when the request comes from a page on an origin outside `allowedOrigins`. Browsers send
 * `Origin` on every state-changing and WebSocket request; older ones may send only
 * `Sec-Fetch-Site`. A request with neither comes from a non-browser client, which cookies
 * cannot be forged for.
 */
export function isCrossSiteRequest(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) return !allowedOrigins.includes(origin);
  return req.headers['sec-fetch-site'] === 'cross-site';
}

/** Methods that never change state. */
export function isSafeMethod(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
