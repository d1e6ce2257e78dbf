/**
 * Config parsing shared by every service's `config.ts`: read the environment once at boot,
 * validate it, and on a bad value stop with a message naming the variable.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_HTTP_LIMITS, DEFAULT_LISTEN_BACKLOG } from './http/server.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_QUERY_TIMEOUT_MS, DEFAULT_READY_TIMEOUT_MS } from './db/client.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `env` with `schema`; throws a ConfigError listing every bad variable by name. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/**
 * Ends a service whose boot failed: a bad configuration with its message alone (exit 78,
 * EX_CONFIG), anything else (an unreachable database, a taken port) with its message (exit 1).
 */
export function exitOnBootError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

const port = z.coerce.number().int().min(0).max(65_535);
/** Node's timers take at most 2^31 - 1 ms; a longer one fires after 1 ms. */
const httpTimeoutMs = z.coerce.number().int().positive().max(2 ** 31 - 1);

/**
 * Where a browser reaches murmur: the gateway (8080), which serves the web client and the API on
 * one origin, and each service's own port (8081-8083), as `npm start` runs them.
 */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = ['localhost', '127.0.0.1'].flatMap((host) =>
  [8080, 8081, 8082, 8083].map((port) => `http://${host}:${port}`),
);

/** The variables of every process that serves HTTP: its logs and its server's limits. */
export const httpServerEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Connections the kernel queues before the service accepts them (capped by net.core.somaxconn). */
  LISTEN_BACKLOG: z.coerce.number().int().min(1).default(DEFAULT_LISTEN_BACKLOG),
  /**
   * How long a client may take to send a request's headers; a new connection must have sent its
   * first request's headers within it. Above HTTP_REQUEST_TIMEOUT_MS, that one applies.
   */
  HTTP_HEADERS_TIMEOUT_MS: httpTimeoutMs.default(DEFAULT_HTTP_LIMITS.HTTP_HEADERS_TIMEOUT_MS),
  /** How long a client may take to send a whole request, body included (not how long the answer may take). */
  HTTP_REQUEST_TIMEOUT_MS: httpTimeoutMs.default(DEFAULT_HTTP_LIMITS.HTTP_REQUEST_TIMEOUT_MS),
  /**
   * How long a keep-alive connection may sit idle between requests. Longer than the idle timeout
   * of the proxy in front (60 s on AWS load balancers and nginx's upstream keep-alive), so the
   * proxy closes first and never sends a request down a connection the service is closing.
   */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: httpTimeoutMs.default(DEFAULT_HTTP_LIMITS.HTTP_KEEP_ALIVE_TIMEOUT_MS),
  /**
   * Most connections waiting for their first request at once; past it the one that has waited
   * longest is closed. Connections a busy server has not read yet count, so keep it above the
   * largest reconnect storm an instance should absorb (and below its file-descriptor limit).
   */
  HTTP_MAX_PENDING_CONNECTIONS: z.coerce.number().int().positive().default(DEFAULT_HTTP_LIMITS.HTTP_MAX_PENDING_CONNECTIONS),
};

/** The variables every service reads. */
export const commonEnv = {
  ...httpServerEnv,
  DATABASE_URL: z.string().url('must be a postgres:// URL'),
  /** Origins allowed to make cookie-authenticated changes and open WebSockets. */
  ALLOWED_ORIGINS: z
    .string()
    .default(DEFAULT_ALLOWED_ORIGINS.join(','))
    .transform((value) => value.split(',').map((o) => o.trim()).filter(Boolean)),
  JWT_ISSUER: z.string().min(1).default('murmur-auth'),
  JWT_AUDIENCE: z.string().min(1).default('murmur'),
  /** Set when the services sit behind HTTPS, so the auth cookie is marked Secure. */
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** How many reverse proxies to trust for the client address (brute-force limits use it). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
  /** Connections each service holds to PostgreSQL. */
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(10),
  /** Client-side deadline of every query; past it the request answers 503. */
  DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(DEFAULT_QUERY_TIMEOUT_MS),
  /** How long a request waits for a free or new database connection before answering 503. */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(DEFAULT_CONNECT_TIMEOUT_MS),
  /** Prefix of the keys of the rate limits every instance shares, so deployments sharing a database count apart. */
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).max(64).default('murmur'),
  /** How long /readyz waits for the database before answering 503. */
  READY_TIMEOUT_MS: z.coerce.number().int().min(50).default(DEFAULT_READY_TIMEOUT_MS),
};

export const portEnv = (defaultPort: number) => port.default(defaultPort);
/** A duration in milliseconds that Node's timers can hold. */
export const timeoutMsEnv = (defaultMs: number) => httpTimeoutMs.default(defaultMs);

/**
 * A PEM key given inline (`NAME`) or as a file path (`NAME_FILE`). Exactly one is required;
 * the message names both so an operator knows what to set.
 */
export function readPemFromEnv(env: NodeJS.ProcessEnv, name: string): string {
  const inline = env[name];
  const file = env[`${name}_FILE`];
  if (inline && inline.trim() !== '') return inline.replace(/\\n/g, '\n');
  if (file && file.trim() !== '') {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  ${name}_FILE: cannot read ${file} (${(err as Error).message})`);
    }
  }
  throw new ConfigError(`invalid configuration:\n  ${name}: missing (set ${name} to a PEM key or ${name}_FILE to its path)`);
}
