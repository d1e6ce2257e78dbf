/** ws-service configuration, read from the environment once at boot. */
import { z } from 'zod';
import { commonEnv, parseEnv, portEnv, readPemFromEnv } from '@murmur/shared/config';

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  ...commonEnv,
  PORT: portEnv(8083),
  /** How often every socket is pinged; a peer that has not answered the previous ping by then is terminated. */
  WS_PING_INTERVAL_MS: positiveInt.min(10).default(30_000),
  /** Unsent output (socket buffer + queue) above which a client is dropped as a slow consumer. */
  WS_MAX_BUFFERED_BYTES: positiveInt.min(1024).default(1024 * 1024),
  /** Frames a connection may send per second on average (token bucket refill rate). */
  WS_MESSAGES_PER_SECOND: positiveInt.default(20),
  /** Frames a connection may send at once before the rate applies (token bucket size). */
  WS_MESSAGE_BURST: positiveInt.default(40),
  /** Rooms one account may create per hour; shared by every instance. */
  WS_ROOMS_MAX_PER_HOUR: positiveInt.default(50),
  /**
   * Open WebSockets one account may hold on this instance (one per room joined, per tab or
   * device). Past it the upgrade answers 429 TOO_MANY_CONNECTIONS.
   */
  WS_MAX_CONNECTIONS_PER_USER: positiveInt.default(100),
  /** Open WebSockets one client address may hold on this instance (several people may share one address). */
  WS_MAX_CONNECTIONS_PER_ADDRESS: positiveInt.default(500),
  /**
   * Chat messages one account may send per second across all its sockets on this instance (token
   * bucket rate), so more sockets do not mean more messages. Over it a message is refused with
   * RATE_LIMITED.
   */
  WS_USER_MESSAGES_PER_SECOND: positiveInt.default(30),
  /** Chat messages one account may send at once across its sockets (token bucket size). */
  WS_USER_MESSAGE_BURST: positiveInt.default(60),
  /** Newest messages each room with local clients keeps in memory: joins and most resumes are served from them. */
  WS_RECENT_MESSAGES: positiveInt.min(50).default(100),
  /** How long a message that arrived ahead of a missing seq is held before the gap is read from the database. */
  WS_GAP_WAIT_MS: positiveInt.default(200),
  /** Most messages stored by one INSERT (group commit across rooms). */
  WS_WRITE_BATCH: positiveInt.max(10_000).default(500),
  /**
   * How long a batch of messages waits for more before it is stored. Each INSERT and commit has a
   * fixed cost in PostgreSQL; a few milliseconds here make batches, and so the cost per message,
   * grow with the load. 0 stores at once.
   */
  WS_WRITE_LINGER_MS: z.coerce.number().int().min(0).max(100).default(2),
  /**
   * How long a batch of read markers waits for more before it is stored. A marker's only answer
   * is the `read` event, which no message waits behind, and PostgreSQL's cost per marker falls
   * with the batch: measured, 21 µs each in batches of 20 and 5.5 µs in batches of 200.
   */
  WS_READ_LINGER_MS: z.coerce.number().int().min(0).max(1_000).default(20),
  /** Most messages waiting to be stored; past it, senders get STORAGE_BUSY at once (no ack). */
  WS_WRITE_QUEUE_MAX: positiveInt.default(10_000),
  /**
   * Redis that joins several instances into one cluster (events and presence). Unset: one
   * instance, in-memory broker and presence.
   */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// or rediss:// URL' }).optional(),
  /** Prefix of every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('murmur:ws:'),
  /**
   * How long an instance's presence outlives its last heartbeat (sent every third of it): a
   * crashed instance's users vanish within it. At least 300 ms, so heartbeats stay ≥ 100 ms apart.
   */
  WS_PRESENCE_TTL_MS: positiveInt.min(300).default(30_000),
  /**
   * Messages a search reads newest first (those the caller may read and those they may not)
   * before it asks the search index instead: a common word is found within them, a rare one is not.
   */
  WS_SEARCH_WALK_ROWS: positiveInt.max(100_000).default(500),
  /**
   * Most messages a second walk reads, when the first found some matches but not a page (a word
   * in a few percent of messages): about 5 µs each, so 20,000 cost ~100 ms, still less than
   * fetching that word's matches through the index.
   */
  WS_SEARCH_MAX_WALK_ROWS: positiveInt.max(1_000_000).default(20_000),
});

export type ServiceConfig = z.infer<typeof schema> & { jwtPublicKeyPem: string };

export function loadConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  return { ...parseEnv(schema, env), jwtPublicKeyPem: readPemFromEnv(env, 'JWT_PUBLIC_KEY') };
}
