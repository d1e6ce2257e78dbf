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

/**
 * The variables of every process that serves HTTP: its logs and its server's limits. Each says
 * what it is for in `.describe()`, which docs/configuration.md is generated from.
 */
export const httpServerEnv = {
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('`production` where deployed (the Dockerfile and `docker-compose.yml` set it); `test` under `npm test`'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino level (`silent` to mute)'),
  LISTEN_BACKLOG: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_LISTEN_BACKLOG)
    .describe(
      "connections the kernel queues before the service accepts them (a reconnect storm needs more than Node's 511; capped by `net.core.somaxconn`)",
    ),
  HTTP_HEADERS_TIMEOUT_MS: httpTimeoutMs
    .default(DEFAULT_HTTP_LIMITS.HTTP_HEADERS_TIMEOUT_MS)
    .describe(
      "how long a client may take to send a request's headers, counted from the opening of the connection for its first request; then 408 and the connection is closed (a connection that never sends a byte included)",
    ),
  HTTP_REQUEST_TIMEOUT_MS: httpTimeoutMs
    .default(DEFAULT_HTTP_LIMITS.HTTP_REQUEST_TIMEOUT_MS)
    .describe(
      'how long a client may take to send a whole request, body included (not how long the answer may take); bounds the headers too when below `HTTP_HEADERS_TIMEOUT_MS`',
    ),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: httpTimeoutMs
    .default(DEFAULT_HTTP_LIMITS.HTTP_KEEP_ALIVE_TIMEOUT_MS)
    .describe(
      "how long an idle keep-alive connection is kept between requests; longer than the idle timeout of the proxy in front (60 s on AWS load balancers and nginx's upstream keep-alive), so the proxy closes first and never reuses a connection the service is closing",
    ),
  HTTP_MAX_PENDING_CONNECTIONS: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_HTTP_LIMITS.HTTP_MAX_PENDING_CONNECTIONS)
    .describe(
      "most connections open at once that have not sent their first request; past it the one that has waited longest is closed (WebSockets and served keep-alive connections do not count). Connections a busy server has not read yet count too: keep it above the largest reconnect storm an instance should absorb (at 1,000, a storm of 10,000 joins lost 9,000 connections) and below the process's file-descriptor limit",
    ),
};

/**
 * The variables of the live path, read by ws-service (its broker, presence and stream
 * connections) and user-service (which publishes live events on ws-service's channels).
 */
export const liveEnv = {
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// or rediss:// URL' })
    .optional()
    .describe(
      "`redis://` or `rediss://` URL that joins ws-service instances into one cluster (room events, presence, people's live events) and on which user-service publishes its live events (notifications, timeline changes); unset, ws-service is one instance with its broker and presence in memory, and user-service's live events go by PostgreSQL NOTIFY, which every ws-service instance listens to",
    ),
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'REDIS_CLUSTER_NODES must be comma-separated host:port pairs')
    .optional()
    .describe(
      "comma-separated `host:port` of Redis Cluster masters (any of them: the rest are found); set, it takes REDIS_URL's place, and every channel runs on sharded pub/sub (`SPUBLISH` / `SSUBSCRIBE`), so a room's or a person's events reach only the master of its slot and the instances that listen there, instead of every node",
    ),
  REDIS_KEY_PREFIX: z
    .string()
    .min(1)
    .max(100)
    .default('murmur:ws:')
    .describe(
      'prefix of every Redis key and channel of the live path; ws-service instances and user-service share it, so several deployments (or test runs) can share one Redis',
    ),
  NOTIFICATIONS_MAX_UNREAD_COUNT: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1_000)
    .describe(
      'the most unread notifications `GET /notifications/unread_count` and a stream\'s `ready` count (a client shows "1000+"), so the count costs the same for an account that never reads them',
    ),
};

/**
 * The variables of search, read by user-service (accounts and posts) and ws-service (messages):
 * the pool searches run on, apart from DB_POOL_SIZE's, their deadline, the queries they refuse,
 * and how often one may search.
 */
export const searchEnv = {
  SEARCH_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(2)
    .describe(
      "connections each instance keeps for searches alone, apart from `DB_POOL_SIZE`'s: at most this many searches run at once, and a search never takes a connection that chat or posting needs",
    ),
  SEARCH_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(1_000)
    .describe(
      "how long one search may take, its wait for a connection and every statement included (each statement's `statement_timeout` is what is left); past it PostgreSQL stops the search and it answers 503 `SEARCH_TIMEOUT`",
    ),
  SEARCH_QUEUE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(60_000)
    .default(250)
    .describe('how long a search waits for a free connection of the search pool before 503 `SEARCH_BUSY` (counted within `SEARCH_TIMEOUT_MS`)'),
  SEARCH_MAX_TERMS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(8)
    .describe(
      'most different words a post or message search may hold, looked for, or\'ed or left out, before 400 `SEARCH_TOO_MANY_WORDS`: the search index reads the rows of every word',
    ),
  SEARCH_MAX_PHRASE_ROWS: z.coerce
    .number()
    .int()
    .min(0)
    .default(50_000)
    .describe(
      "most rows the planner may estimate to hold the words of a search with a phrase, once the newest rows did not answer it: the index hands over every row holding the words, each read again for their positions (about 4 µs a row); above it, 400 `SEARCH_PHRASE_TOO_COMMON`",
    ),
  SEARCH_MAX_PER_MINUTE_PER_ACCOUNT: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe('searches one signed-in account may start per minute before 429 `TOO_MANY_SEARCHES`; counted in each instance\'s memory'),
  SEARCH_MAX_PER_MINUTE_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(300)
    .describe(
      'searches one client address may start per minute, signed in or not, before 429 `TOO_MANY_SEARCHES` (several people may share an address); counted in each instance\'s memory',
    ),
};

/** The variables every service reads. */
export const commonEnv = {
  ...httpServerEnv,
  DATABASE_URL: z.string().url('must be a postgres:// URL').describe('PostgreSQL URL (`npm start` provides one)'),
  ALLOWED_ORIGINS: z
    .string()
    .default(DEFAULT_ALLOWED_ORIGINS.join(','))
    .transform((value) => value.split(',').map((o) => o.trim()).filter(Boolean))
    .describe(
      'comma-separated origins allowed to make cookie-authenticated changes and open WebSockets; the default is the gateway and each service as `npm start` runs them',
    ),
  JWT_ISSUER: z.string().min(1).default('murmur-auth').describe('`iss` claim signed and required'),
  JWT_AUDIENCE: z.string().min(1).default('murmur').describe('`aud` claim signed and required'),
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('`true` behind HTTPS: the auth cookie is the Secure `__Host-murmur_token` (and the device cookie `__Host-murmur_device`), and only those names are read'),
  TRUST_PROXY_HOPS: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'reverse proxies to trust for the client address, which the brute-force limits count by (1 in `docker-compose.yml`, behind the gateway)',
    ),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(10).describe('connections each service holds to PostgreSQL'),
  DB_QUERY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(DEFAULT_QUERY_TIMEOUT_MS)
    .describe(
      "client-side deadline of every query (the server's `statement_timeout` is set just below it); a hung or partitioned database answers 503 after it",
    ),
  DB_CONNECT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(DEFAULT_CONNECT_TIMEOUT_MS)
    .describe('how long a request waits for a free or new database connection before 503'),
  RATE_LIMIT_KEY_PREFIX: z
    .string()
    .min(1)
    .max(64)
    .default('murmur')
    .describe(
      'prefix of the keys of the shared rate limits (table `rate_limits`); instances of one deployment share it, deployments sharing a database count apart',
    ),
  READY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(DEFAULT_READY_TIMEOUT_MS)
    .describe('how long `/readyz` waits for the database before answering 503'),
};

export const portEnv = (defaultPort: number) => port.default(defaultPort).describe('listening port of a service or the gateway');
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
