/**
 * Helpers for the packages' tests: a real database from the test runner, signing keys, an app
 * served on port 0, and a small JSON client. Not used by production code.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import { generateKeyPairPem } from './auth/keys.js';

let keyPair: { publicKey: string; privateKey: string } | undefined;

/** One RSA key pair per test process (generation takes tens of milliseconds). */
export function testKeyPair(): { publicKey: string; privateKey: string } {
  keyPair ??= generateKeyPairPem();
  return keyPair;
}

/** The fresh, migrated database `npm test` made for this run. */
export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`');
  return url;
}

/** An environment for a service under test: the test database, test keys, quiet logs. */
export function testEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keys = testKeyPair();
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl(),
    JWT_PRIVATE_KEY: keys.privateKey,
    JWT_PUBLIC_KEY: keys.publicKey,
    ...overrides,
  };
}

/** A TCP port nobody is listening on right now, for a process that must be told its port before it starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Served {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/** Serves `handler` on an ephemeral port of 127.0.0.1. */
export function serve(handler: RequestListener): Promise<Served> {
  return serveOn(http.createServer(handler));
}

/** Listens with `server` on an ephemeral port of 127.0.0.1; `close` cuts its connections and stops it. */
export async function serveOn(server: http.Server): Promise<Served> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ServiceUnderTest<D> {
  url: string;
  deps: D;
  /** Stops the server, then closes `deps`. */
  close(): Promise<void>;
}

/** One service instance under test: `handler` served on port 0, over `deps` it owns. */
export async function serveService<D extends { close(): Promise<void> }>(deps: D, handler: RequestListener): Promise<ServiceUnderTest<D>> {
  const served = await serve(handler);
  return {
    url: served.url,
    deps,
    async close() {
      await served.close();
      await deps.close();
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ApiOptions {
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: string;
  token?: string;
  cookie?: string;
  headers?: Record<string, string>;
}

/** A JSON request; the response body is parsed when it is JSON. */
export async function api<T = any>(baseUrl: string, method: string, path: string, options: ApiOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.includes('application/json');
  return { status: res.status, headers: res.headers, body: (isJson && text ? JSON.parse(text) : text) as T };
}

let counter = 0;
/** A username no other test uses: letters, digits and underscores, at most 30 characters. */
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix}_${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}${counter}`.slice(0, 30);
}

/** A word no other test writes, for the search tests: letters only, so it is one word to the search. */
export const freshWord = (): string => `w${randomBytes(6).toString('hex').replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}`;

/** Search rate limits raised for tests that search faster than a person does (search-guards tests test the limits). */
export const ROOMY_SEARCH_LIMITS = { SEARCH_MAX_PER_MINUTE_PER_ACCOUNT: '100000', SEARCH_MAX_PER_MINUTE_PER_ADDRESS: '100000' };

/** `promise`, or a rejection naming `what` once `timeoutMs` passes: a bound on a wait, never a pause. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what = 'the event'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the first value `subscribe` passes on, or rejects after `timeoutMs`. */
export function nextEvent<T>(subscribe: (listener: (value: T) => void) => void, timeoutMs = 2_000): Promise<T> {
  return within(new Promise<T>((resolve) => subscribe(resolve)), timeoutMs);
}
/**
 * Runs `check` until it stops throwing, and resolves its value; past `timeoutMs` rejects with its
 * last error. For outcomes another process brings about with no event to wait for, such as a
 * background job's writes; each try is a real read of the state, and the deadline is the bound.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVAL_MS));
  }
}
const RETRY_INTERVAL_MS = 20;

/**
 * A bare TCP connection to a server, for tests of what a server does with clients that send
 * little or nothing. It reads everything it is sent: a socket left unread never sees the
 * server's FIN, so its 'close' would not tell when the server closed it.
 */
export class RawConnection {
  /** Everything the server has sent, as text. */
  received = '';
  /** Resolves once the connection is closed, by either side. */
  readonly closed: Promise<void>;
  private ended = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.received += chunk));
    socket.on('error', () => undefined); // a reset is one way for the server to close it
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.ended = true;
        resolve();
      });
    });
  }

  /** Connects to `baseUrl` (`http://host:port`); resolves once the connection is established. */
  static open(baseUrl: string): Promise<RawConnection> {
    const { hostname, port } = new URL(baseUrl);
    const socket = net.connect(Number(port), hostname);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
    });
  }

  get isClosed(): boolean {
    return this.ended;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Resolves once the server has sent `text`; rejects if it closes first or `timeoutMs` passes. */
  untilReceived(text: string, timeoutMs = 2_000): Promise<void> {
    const seen = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.received.includes(text)) {
          this.socket.off('data', check);
          resolve();
        } else if (this.ended) {
          reject(new Error(`closed before receiving ${JSON.stringify(text)}; got ${JSON.stringify(this.received)}`));
        }
      };
      this.socket.on('data', check);
      void this.closed.then(check);
      check();
    });
    return within(seen, timeoutMs, `receiving ${JSON.stringify(text)}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

export { startFaultProxy, type FaultProxy } from './fault-proxy.js';

/** The calls that exercise the routes every service has (banner, health, metrics, its document), for `checkContract`. */
export function serviceRouteCalls(baseUrl: string): Record<string, () => Promise<ApiResponse | ApiResponse[]>> {
  const get = (path: string) => () => api(baseUrl, 'GET', path);
  return {
    'GET /': get('/'),
    'GET /healthz': get('/healthz'),
    'GET /readyz': get('/readyz'),
    'GET /metrics': get('/metrics'),
    'GET /openapi.json': get('/openapi.json'),
    'GET /docs': get('/docs'),
    'GET /docs/{file}': async () => [await api(baseUrl, 'GET', '/docs/swagger-ui.css'), await api(baseUrl, 'GET', '/docs/nothing.js')],
  };
}
