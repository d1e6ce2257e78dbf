/** user-service configuration, read from the environment once at boot. */
import { z } from 'zod';
import { commonEnv, parseEnv, portEnv, readPemFromEnv } from '@murmur/shared/config';

const schema = z.object({
  ...commonEnv,
  PORT: portEnv(8082),
  /** Posts one account may publish per window (Mastodon allows 300 per 3 hours); shared by every instance. */
  POSTS_MAX_PER_WINDOW: z.coerce.number().int().positive().default(300),
  POSTS_WINDOW_SECONDS: z.coerce.number().int().positive().default(3 * 60 * 60),
  /** The pg-boss queue of timeline jobs: every instance on one database and queue shares the work. */
  TIMELINE_JOB_QUEUE: z.string().regex(/^[a-z0-9_-]{1,50}$/, 'must be 1-50 of a-z, 0-9, _ and -').default('timeline'),
  /** Timeline jobs (fan-out, follow backfill, clean-up) this instance runs at once; 0 runs none here. */
  TIMELINE_WORKERS: z.coerce.number().int().min(0).max(32).default(2),
  /** Followers a post request writes the post to itself before answering; jobs write it to the rest. */
  TIMELINE_INLINE_FOLLOWERS: z.coerce.number().int().min(0).default(200),
  /** Followers one fan-out step writes, in one transaction; a larger audience takes several steps. */
  TIMELINE_FANOUT_BATCH_SIZE: z.coerce.number().int().positive().default(5_000),
  /** How many of an account's newest posts a new follow brings into the follower's timeline (Mastodon: 400). */
  TIMELINE_BACKFILL_POSTS: z.coerce.number().int().min(0).default(400),
  /** A job still running after this long is taken for crashed and run again; a step takes well under a second. */
  TIMELINE_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).default(30),
  /** How often expired jobs are looked for. */
  TIMELINE_JOB_SUPERVISE_SECONDS: z.coerce.number().int().min(1).default(10),
  /**
   * Rows a user or post search reads in its list's order (newest posts first, names in order)
   * before it asks the search index instead: a common word is found within them, a rare one is not.
   */
  SEARCH_WALK_ROWS: z.coerce.number().int().min(1).max(100_000).default(500),
  /** Trending tags rank the tags used by the most distinct accounts within this many hours. */
  TRENDS_WINDOW_HOURS: z.coerce.number().int().min(1).max(24 * 7).default(24),
  /**
   * How old the trending list may get before a read starts computing it again in the background
   * (it reads every tag use of the window); 0 computes it on every read.
   */
  TRENDS_REFRESH_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** Most rows of a second walk, when the first found some matches but not a page (see WS_SEARCH_MAX_WALK_ROWS). */
  SEARCH_MAX_WALK_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
});

export type ServiceConfig = z.infer<typeof schema> & { jwtPublicKeyPem: string };

export function loadConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  return { ...parseEnv(schema, env), jwtPublicKeyPem: readPemFromEnv(env, 'JWT_PUBLIC_KEY') };
}
