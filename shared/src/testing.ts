/**
 * Helpers for the packages' tests: a real database from the test runner, signing keys, an app
 * served on port 0, and a small JSON client. Not used by production code.
 */
import http from 'node:http';
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

export interface Served {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/** Serves `handler` on an ephemeral port of 127.0.0.1. */
export async function serve(handler: RequestListener): Promise<Served> {
  const server = http.createServer(handler);
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
export { startFaultProxy, type FaultProxy } from './fault-proxy.js';
