/**
 * user-service configuration, read from the environment once at boot. Each variable says what
 * it is for in `.describe()`, which docs/configuration.md is generated from.
 */
import { z } from 'zod';
import { commonEnv, liveEnv, parseEnv, portEnv, readPemFromEnv, searchEnv } from '@murmur/shared/config';
import { mediaEnv } from './media/media-config.js';

export const envSchema = z
  .object({
  ...commonEnv,
  ...liveEnv,
  ...searchEnv,
  ...mediaEnv,
  PORT: portEnv(8082),
  POSTS_MAX_PER_WINDOW: z.coerce
    .number()
    .int()
    .positive()
    .default(300)
    .describe('posts one account may publish per window before 429 `TOO_MANY_POSTS`; shared by every instance'),
  POSTS_WINDOW_SECONDS: z.coerce.number().int().positive().default(3 * 60 * 60).describe('length of the posts window (3 hours, as Mastodon)'),
  REPORTS_PER_HOUR: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe(
      'reports one account may send to the moderators per hour before 429 `TOO_MANY_REPORTS` (reporting again what it reported already is not counted); shared by every instance',
    ),
  TIMELINE_JOB_QUEUE: z
    .string()
    .regex(/^[a-z0-9_-]{1,50}$/, 'must be 1-50 of a-z, 0-9, _ and -')
    .default('timeline')
    .describe('name of the pg-boss queue of timeline jobs; instances on one database and queue share the work'),
  TIMELINE_WORKERS: z.coerce
    .number()
    .int()
    .min(0)
    .max(32)
    .default(2)
    .describe(
      'timeline jobs (fan-out steps, follow backfills and clean-ups) an instance runs at once; 0 makes an instance that only enqueues',
    ),
  TIMELINE_INLINE_FOLLOWERS: z.coerce
    .number()
    .int()
    .min(0)
    .default(200)
    .describe(
      'followers `POST /posts` writes the post to itself before answering (and `DELETE /posts/:id` removes it from); jobs serve the rest, so most posts need no job; 0 leaves every follower to the jobs',
    ),
  TIMELINE_FANOUT_BATCH_SIZE: z.coerce
    .number()
    .int()
    .positive()
    .default(5_000)
    .describe(
      "followers one fan-out step writes a post to, in one transaction (and rows one clean-up step deletes); a larger audience takes several steps, with other posts' jobs between them",
    ),
  TIMELINE_BACKFILL_POSTS: z.coerce
    .number()
    .int()
    .min(0)
    .default(400)
    .describe(
      "newest posts of an account that a new follow brings into the follower's timeline (Mastodon's number); older ones are on the account's profile",
    ),
  TIMELINE_JOB_EXPIRE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe(
      'a job running longer than this is taken for crashed (its instance died) and run again; one step takes well under a second',
    ),
  TIMELINE_JOB_SUPERVISE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('how often expired jobs are looked for (one instance at a time does it)'),
  SEARCH_WALK_ROWS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(500)
    .describe(
      'rows a post search (newest posts first) or a search inside usernames (names in order) reads before it asks the search index instead: a word common enough to fill a page within them is served by this walk, a rarer one by the index',
    ),
  SEARCH_MAX_WALK_ROWS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(20_000)
    .describe(
      'most rows of the second walk a search takes when the first met some matches but not a page (a word in a few percent of the posts): walked on only while that is cheaper than the index, at about 5 µs a row',
    ),
  TRENDS_WINDOW_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(24)
    .describe('trending tags rank the tags used by the most distinct accounts within this many hours'),
  TRENDS_REFRESH_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(60)
    .describe(
      'how old the trending list may get before a read starts computing it again in the background (it reads every tag use of the window); 0 computes it on every read',
    ),
  })
  .refine((env) => env.MEDIA_STORAGE !== 's3' || env.MEDIA_S3_BUCKET !== undefined, { path: ['MEDIA_S3_BUCKET'], message: 'is required with MEDIA_STORAGE=s3' })
  .refine((env) => env.MEDIA_UPLOAD_TIMEOUT_MS < env.HTTP_REQUEST_TIMEOUT_MS, {
    path: ['MEDIA_UPLOAD_TIMEOUT_MS'],
    message: 'must be below HTTP_REQUEST_TIMEOUT_MS, which would end an upload first with no clear answer',
  });

/** The token verification key, given inline or as a file (`JWT_PUBLIC_KEY_FILE`); read beside the schema. */
export const PEM_KEY_ENV = 'JWT_PUBLIC_KEY';

export type ServiceConfig = z.infer<typeof envSchema> & { jwtPublicKeyPem: string };

export function loadConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  return { ...parseEnv(envSchema, env), jwtPublicKeyPem: readPemFromEnv(env, PEM_KEY_ENV) };
}
