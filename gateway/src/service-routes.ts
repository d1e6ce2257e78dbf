/**
 * Which service answers which path, and the path it sees. The API's prefix is stripped, so
 * `/api/auth/login` reaches auth-service as `/login`; the pictures' files keep their whole path,
 * so `/media/x.png` reaches user-service as `/media/x.png`. nginx.conf routes the same way
 * (except that it sends the public pictures from disk itself).
 */
import type { GatewayConfig } from './config.js';

export interface ServiceRoute {
  /** The part of the path the route owns. */
  prefix: string;
  service: 'auth-service' | 'user-service' | 'ws-service';
  /** The service's base URL. */
  target: string;
  /**
   * An API route (the default): the prefix is never sent to the service, every method and
   * WebSocket upgrades pass. A route of files: the path is sent whole, GET and HEAD only.
   */
  kind?: 'api' | 'files';
}

/** The path under which pictures are served, public ones and private ones (`/media/private/…`). */
export const MEDIA_PREFIX = '/media';

export function serviceRoutes(config: Pick<GatewayConfig, 'AUTH_SERVICE_URL' | 'USER_SERVICE_URL' | 'WS_SERVICE_URL'>): ServiceRoute[] {
  return [
    { prefix: '/api/auth', service: 'auth-service', target: config.AUTH_SERVICE_URL },
    { prefix: '/api/users', service: 'user-service', target: config.USER_SERVICE_URL },
    { prefix: '/api/chat', service: 'ws-service', target: config.WS_SERVICE_URL },
    // user-service checks who may see a private picture, and sends every file itself here.
    { prefix: MEDIA_PREFIX, service: 'user-service', target: config.USER_SERVICE_URL, kind: 'files' },
  ];
}

/**
 * Where a request goes: to a service (with the path and query it sees), nowhere, nowhere for
 * this method (files are only read), or to the web client.
 */
export type Destination =
  | { kind: 'service'; route: ServiceRoute; url: string }
  | { kind: 'not-routed' }
  | { kind: 'method-not-allowed' }
  | { kind: 'client' };

/** Everything under it is the API; anything else is the web client's, or a file. */
const API_PREFIX = '/api';

/** The methods a route of files answers. */
export const FILE_METHODS: readonly string[] = ['GET', 'HEAD'];

const isUnder = (pathname: string, prefix: string) => pathname.startsWith(`${prefix}/`);

/**
 * Where the request `method rawUrl` (a path and query, as the request line carries it) goes;
 * an upgrade asks with GET.
 */
export function destinationOf(method: string, rawUrl: string, routes: readonly ServiceRoute[]): Destination {
  const queryAt = rawUrl.indexOf('?');
  const pathname = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const files = routes.find((r) => r.kind === 'files' && isUnder(pathname, r.prefix));
  if (files) {
    // `/media/../metrics` and the like would leave the folder once a service reads the path.
    if (!isUnder(normalizedPath(pathname), files.prefix)) return { kind: 'not-routed' };
    if (!FILE_METHODS.includes(method)) return { kind: 'method-not-allowed' };
    return { kind: 'service', route: files, url: rawUrl };
  }
  if (pathname !== API_PREFIX && !isUnder(pathname, API_PREFIX)) return { kind: 'client' };
  const route = routes.find((r) => r.kind !== 'files' && (pathname === r.prefix || isUnder(pathname, r.prefix)));
  if (!route) return { kind: 'not-routed' };
  const rest = pathname.slice(route.prefix.length) || '/';
  if (isMetricsPath(rest)) return { kind: 'not-routed' };
  return { kind: 'service', route, url: `${rest}${queryAt === -1 ? '' : rawUrl.slice(queryAt)}` };
}

/**
 * `path` read the way the most lenient of the services' routers would: they ignore case and a
 * trailing slash, and a client may encode letters, add dot segments or double slashes (which
 * nginx normalizes before it matches). Lower-cased, decoded, slashes merged, dots resolved.
 */
function normalizedPath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // a malformed escape: read the path as it came
  }
  // Collapsed first: URL would read a leading `//metrics` as a host. URL resolves `.` and `..`.
  return new URL(decoded.replace(/\/{2,}/g, '/'), 'http://gateway.invalid').pathname.toLowerCase();
}

/** True for a service's /metrics and anything under it, however it is spelled. */
function isMetricsPath(path: string): boolean {
  const normalized = normalizedPath(path);
  return normalized === '/metrics' || normalized.startsWith('/metrics/');
}
