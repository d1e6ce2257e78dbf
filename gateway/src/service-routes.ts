/**
 * Which service answers which part of the API, and the path it sees: the gateway strips the
 * prefix, so `/api/auth/login` reaches auth-service as `/login`. nginx.conf routes the same way.
 */
import type { GatewayConfig } from './config.js';

export interface ServiceRoute {
  /** The part of the path the gateway owns; never sent to the service. */
  prefix: string;
  service: 'auth-service' | 'user-service' | 'ws-service';
  /** The service's base URL. */
  target: string;
}

export function serviceRoutes(config: Pick<GatewayConfig, 'AUTH_SERVICE_URL' | 'USER_SERVICE_URL' | 'WS_SERVICE_URL'>): ServiceRoute[] {
  return [
    { prefix: '/api/auth', service: 'auth-service', target: config.AUTH_SERVICE_URL },
    { prefix: '/api/users', service: 'user-service', target: config.USER_SERVICE_URL },
    { prefix: '/api/chat', service: 'ws-service', target: config.WS_SERVICE_URL },
  ];
}

/** Where a request goes: to a service (with the path and query it sees), nowhere, or to the web client. */
export type Destination = { kind: 'service'; route: ServiceRoute; url: string } | { kind: 'not-routed' } | { kind: 'client' };

/** Everything under it is the API; anything else is the web client's. */
const API_PREFIX = '/api';

/** Where the request for `rawUrl` (a path and query, as the request line carries it) goes. */
export function destinationOf(rawUrl: string, routes: readonly ServiceRoute[]): Destination {
  const queryAt = rawUrl.indexOf('?');
  const pathname = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  if (pathname !== API_PREFIX && !pathname.startsWith(`${API_PREFIX}/`)) return { kind: 'client' };
  const route = routes.find((r) => pathname === r.prefix || pathname.startsWith(`${r.prefix}/`));
  if (!route) return { kind: 'not-routed' };
  const rest = pathname.slice(route.prefix.length) || '/';
  if (isMetricsPath(rest)) return { kind: 'not-routed' };
  return { kind: 'service', route, url: `${rest}${queryAt === -1 ? '' : rawUrl.slice(queryAt)}` };
}

/**
 * True for a service's /metrics and anything under it, however it is spelled: the services'
 * routers ignore case and a trailing slash, and a client may encode letters, add dot segments or
 * double slashes (which nginx normalizes before it matches), so the check reads the path the way
 * the most lenient of them would.
 */
function isMetricsPath(path: string): boolean {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // a malformed escape: check the path as it came
  }
  // Collapsed first: URL would read a leading `//metrics` as a host. URL resolves `.` and `..`.
  const normalized = new URL(decoded.replace(/\/{2,}/g, '/'), 'http://gateway.invalid').pathname.toLowerCase();
  return normalized === '/metrics' || normalized.startsWith('/metrics/');
}
