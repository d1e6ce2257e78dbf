/**
 * ws-service configuration, read from the environment once at boot. Each variable says what it
 * is for in `.describe()`, which docs/configuration.md is generated from.
 */
import { z } from 'zod';
import { commonEnv, liveEnv, parseEnv, portEnv, readPemFromEnv, searchEnv } from '@murmur/shared/config';

const positiveInt = z.coerce.number().int().positive();

export const envSchema = z.object({
  ...commonEnv,
  ...liveEnv,
  ...searchEnv,
  PORT: portEnv(8083),
  WS_PING_INTERVAL_MS: positiveInt
    .min(10)
    .default(30_000)
    .describe('how often every socket is pinged; a peer that has not answered the previous ping by then is terminated'),
  WS_MAX_BUFFERED_BYTES: positiveInt
    .min(1024)
    .default(1024 * 1024)
    .describe('unsent output per socket (socket buffer + queue) above which it is closed with 4008 as a slow consumer'),
  WS_MESSAGES_PER_SECOND: positiveInt.default(20).describe('frames a socket may send per second on average (token bucket rate)'),
  WS_MESSAGE_BURST: positiveInt.default(40).describe('frames a socket may send at once before the rate applies (token bucket size)'),
  WS_ROOMS_MAX_PER_HOUR: positiveInt
    .default(50)
    .describe('rooms one account may create per hour before 429 `TOO_MANY_ROOMS`; shared by every instance'),
  WS_MAX_CONNECTIONS_PER_USER: positiveInt
    .default(100)
    .describe(
      'open WebSockets one account may hold on an instance (one per room joined, per tab or device); past it the upgrade answers 429 `TOO_MANY_CONNECTIONS`',
    ),
  WS_MAX_CONNECTIONS_PER_ADDRESS: positiveInt
    .default(500)
    .describe(
      'open WebSockets one client address may hold on an instance (several people may share one address; counted from the start of the upgrade, before the token is checked)',
    ),
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: positiveInt
    .max(10_000)
    .default(100)
    .describe('rooms one `/ws/stream` connection may be subscribed to at once; past it a `subscribe` answers `TOO_MANY_SUBSCRIPTIONS` and the connection stays open'),
  WS_USER_MESSAGES_PER_SECOND: positiveInt
    .default(30)
    .describe(
      'chat messages one account may send per second across all its sockets on an instance (token bucket rate), so more sockets do not mean more messages; over it a message is refused with `RATE_LIMITED`',
    ),
  WS_USER_MESSAGE_BURST: positiveInt
    .default(60)
    .describe('chat messages one account may send at once across its sockets (token bucket size)'),
  WS_USER_TYPING_PER_SECOND: positiveInt
    .default(1)
    .describe(
      '`typing` frames one account may send per second across all its sockets on an instance (token bucket rate; a client sends one every few seconds while its person types), counted apart from messages; over it a `typing` is not relayed and is answered with `RATE_LIMITED`',
    ),
  WS_USER_TYPING_BURST: positiveInt
    .default(5)
    .describe('`typing` frames one account may send at once across its sockets (token bucket size)'),
  WS_USER_PRESENCE_PER_SECOND: positiveInt
    .default(2)
    .describe(
      "arrivals in rooms (an account's first subscription or `/ws/joinRoom` socket in a room) one account may have announced as `participant_joined` per second across its sockets on an instance (token bucket rate); past it the subscription is made all the same and only its announcement waits for the bucket (and is dropped with its `participant_left` if the person leaves first), so toggling subscriptions cannot flood a room with presence events",
    ),
  WS_USER_PRESENCE_BURST: positiveInt
    .default(100)
    .describe(
      'arrivals one account may have announced at once across its sockets (token bucket size): a connection subscribing to as many rooms as `WS_MAX_SUBSCRIPTIONS_PER_CONNECTION` allows, at connect or on a resume, is announced at once',
    ),
  WS_RECENT_MESSAGES: positiveInt
    .min(50)
    .default(100)
    .describe(
      'newest messages kept in memory per room that has clients on the instance (≥ 50), with the edits and deletions among them (at most 4 events per message kept); joins and resumes within them read no database',
    ),
  WS_GAP_WAIT_MS: positiveInt
    .default(200)
    .describe('how long a message that arrived ahead of a missing seq is held before the missing ones are read from the database'),
  WS_WRITE_BATCH: positiveInt.max(10_000).default(500).describe('most messages stored by one INSERT (group commit across rooms)'),
  WS_WRITE_LINGER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .default(2)
    .describe(
      "how long a batch of messages waits for more before it is stored, while messages come faster than one write (the batch before held several); a message that arrives after a quiet spell is stored at once. Each INSERT and commit has a fixed cost in PostgreSQL: at 2,000 messages/s, 2 ms make batches of ~8 instead of ~2 and the cost per message ~40% lower, for ~3 ms more latency; 0 never waits",
    ),
  WS_READ_LINGER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000)
    .default(20)
    .describe(
      "how long a batch of read markers waits for more before it is stored in one statement; a marker's only answer is the `read` event, which no message waits behind, and PostgreSQL's cost per marker falls with the batch (21 µs in batches of 20, 5.5 µs in batches of 200)",
    ),
  WS_WRITE_QUEUE_MAX: positiveInt
    .default(10_000)
    .describe('most messages waiting to be stored; past it a message is refused at once with `STORAGE_BUSY` and not acknowledged'),
  WS_USER_SERVICE_URL: z
    .url({ protocol: /^https?$/, error: 'WS_USER_SERVICE_URL must be an http:// or https:// URL' })
    .default('http://127.0.0.1:8082')
    .describe("user-service's base URL, from which a `/ws/stream?since=` connection reads the notifications it missed (with the person's own token)"),
  WS_USER_SERVICE_TIMEOUT_MS: positiveInt
    .max(60_000)
    .default(5_000)
    .describe('how long a stream waits for user-service to answer; past it, the stream starts with a `NOTIFICATIONS_UNAVAILABLE` error instead of the missed notifications'),
  WS_PRESENCE_TTL_MS: positiveInt
    .min(300)
    .default(30_000)
    .describe(
      "how long an instance's presence outlives its last heartbeat (sent every third of it): a crashed instance's users vanish within it. At least 300 ms, so heartbeats stay ≥ 100 ms apart",
    ),
  WS_SEARCH_WALK_ROWS: positiveInt
    .max(100_000)
    .default(500)
    .describe(
      'the same as `SEARCH_WALK_ROWS`, for message search; the messages walked include those of rooms the caller may not read',
    ),
  WS_SEARCH_MAX_WALK_ROWS: positiveInt
    .max(1_000_000)
    .default(20_000)
    .describe(
      'the same as `SEARCH_MAX_WALK_ROWS`, for message search: about 5 µs a message, so 20,000 cost ~100 ms, still less than fetching a word in a few percent of messages through the index',
    ),
});

/** The token verification key, given inline or as a file (`JWT_PUBLIC_KEY_FILE`); read beside the schema. */
export const PEM_KEY_ENV = 'JWT_PUBLIC_KEY';

export type ServiceConfig = z.infer<typeof envSchema> & { jwtPublicKeyPem: string };

export function loadConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  return { ...parseEnv(envSchema, env), jwtPublicKeyPem: readPemFromEnv(env, PEM_KEY_ENV) };
}
