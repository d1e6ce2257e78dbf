/**
 * The variables of user-service's media module: limits of an upload, the image work, where the
 * files are stored and how they are served. Part of user-service's config (config.ts).
 */
import { z } from 'zod';

const MIB = 1024 * 1024;

export const mediaEnv = {
  MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(200 * MIB)
    .default(10 * MIB)
    .describe('largest picture an upload may send, in bytes; a larger one is refused with 413 `MEDIA_TOO_LARGE` as soon as it is seen, without reading the rest'),
  MEDIA_MAX_PIXELS: z.coerce
    .number()
    .int()
    .min(1)
    .max(268_402_689)
    .default(40_000_000)
    .describe("most pixels (width × height, as the file's header claims) a picture may have; more is 422 `MEDIA_TOO_LARGE`, decided before any decoding"),
  MEDIA_MAX_CONCURRENT: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(1)
    .describe(
      "pictures an instance decodes and re-encodes at once, each taking one core (one of libvips's threads, off the event loop) for about half a second per 12 megapixels; keep it below the instance's cores, so that its other requests always find one",
    ),
  MEDIA_MAX_QUEUED: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000)
    .default(16)
    .describe('uploads an instance holds beyond those it is processing (still arriving, or waiting their turn); past them, 503 `MEDIA_BUSY` with `Retry-After` before the body is read'),
  MEDIA_MAX_UPLOADS_PER_ACCOUNT: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(4)
    .describe('uploads one account may have in progress at once on an instance (arriving, waiting or processed): the four pictures of a post; past them, 429 `TOO_MANY_UPLOADS`, so one account cannot take every place of the queue'),
  MEDIA_PROCESS_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600)
    .default(20)
    .describe('longest the image work of one picture may take (a 12-megapixel photograph takes about half a second); a picture built to take longer is refused with 422 `MEDIA_UNREADABLE`'),
  MEDIA_UPLOAD_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(600_000)
    .default(25_000)
    .describe(
      'longest an upload may take to arrive; a slower one is refused with 408 `UPLOAD_TIMEOUT`, so a slow client cannot hold a place of the queue. It must stay below HTTP_REQUEST_TIMEOUT_MS, which ends any request that takes longer: raise both for slow links (10 MiB in 25 s takes 3.4 Mbit/s)',
    ),
  MEDIA_UPLOADS_PER_HOUR: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe('uploads one account may make per hour before 429 `TOO_MANY_UPLOADS`; shared by every instance'),
  MEDIA_UNATTACHED_TTL_HOURS: z.coerce
    .number()
    .min(0.001)
    .max(24 * 30)
    .default(24)
    .describe('hours an upload may stay unattached to a post, message or profile before it is removed with its files'),
  MEDIA_SWEEP_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(3_600_000)
    .default(60_000)
    .describe('how often an instance removes expired uploads and the files of deleted pictures'),
  MEDIA_STORAGE: z.enum(['local', 's3']).default('local').describe('where the files are kept: `local` (a folder, MEDIA_LOCAL_DIR) or `s3` (any S3-compatible store)'),
  MEDIA_LOCAL_DIR: z.string().min(1).default('.data/media').describe('the folder of `local` storage, holding a folder of public files and one of private files; nginx serves the public ones straight from it'),
  MEDIA_TMP_DIR: z.string().min(1).optional().describe("where uploads are written while they arrive and are processed (the system's temporary folder when unset)"),
  MEDIA_S3_ENDPOINT: z.url().optional().describe('URL of the S3-compatible store (unset: AWS itself, from MEDIA_S3_REGION)'),
  MEDIA_S3_BUCKET: z.string().min(3).max(63).optional().describe('the bucket of `s3` storage (required with it); its keys start with public/ or private/'),
  MEDIA_S3_REGION: z.string().min(1).default('us-east-1').describe('the region of `s3` storage'),
  MEDIA_S3_ACCESS_KEY_ID: z.string().min(1).optional().describe("the access key of `s3` storage (unset: the AWS SDK's own chain, as an instance role)"),
  MEDIA_S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('the secret of MEDIA_S3_ACCESS_KEY_ID'),
  MEDIA_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .describe('address the bucket as `endpoint/bucket/key` (most S3-compatible stores) rather than `bucket.endpoint/key`'),
  MEDIA_ACCEL_REDIRECT: z
    .string()
    .regex(/^\/[\w/-]*\/$/, 'must be a path that starts and ends with /')
    .optional()
    .describe(
      "set behind nginx: a file request that passed its checks is answered with an `X-Accel-Redirect` header to this path followed by public/ or private/ and the file's name, an internal location of nginx's that sends the file, instead of the service streaming it",
    ),
};
