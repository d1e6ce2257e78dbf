/**
 * auth-service configuration, read from the environment once at boot. Each variable says what
 * it is for in `.describe()`, which docs/configuration.md is generated from.
 */
import { z } from 'zod';
import { commonEnv, parseEnv, portEnv, readPemFromEnv } from '@murmur/shared/config';

export const envSchema = z.object({
  ...commonEnv,
  PORT: portEnv(8081),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12).describe('bcrypt work factor (4–15); each +1 doubles the time a hash takes'),
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 24 * 3600).default(24 * 3600).describe('token and cookie lifetime'),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce
    .number()
    .int()
    .min(1)
    .default(5)
    .describe(
      "failed logins per account (its username and email count together) per window before 429 for devices without the account's device cookie; shared by every instance. A logged-in owner's password checks (changing the password, the two-factor settings) count per session, against the same number",
    ),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(50)
    .describe("failed logins per client address per window before 429 (a device with the account's device cookie is not held to it)"),
  LOGIN_MAX_SUCCESSES_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(100)
    .describe('successful logins (and password checks) per client address per window before 429, so that right passwords cannot spend bcrypt time without bound either'),
  SESSIONS_MAX_PER_ACCOUNT: z.coerce
    .number()
    .int()
    .min(1)
    .default(100)
    .describe("active sessions an account may have; a login past it ends the account's oldest session"),
  REGISTER_MAX_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('registrations per client address per window before 429 (each costs a bcrypt hash)'),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(15 * 60).describe('length of the login and registration windows'),
  LOGIN_MAX_FAILURES_PER_DEVICE: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .describe(
      "failed logins per window from a device that holds the account's device cookie before that device gets 429; other people's failures never count against it",
    ),
  DEVICE_COOKIE_TTL_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(365)
    .describe('how long the device cookie a successful login sets is honoured (the lockout of unknown devices does not apply to it)'),
  PUBLIC_URL: z
    .string()
    .url('must be an http(s) URL')
    .default('http://localhost:8080')
    .transform((url) => url.replace(/\/+$/, ''))
    .describe("the web client's address, which mailed links point into (`<PUBLIC_URL>/reset-password?token=…`)"),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/?#]/i, 'must be an smtp:// or smtps:// URL')
    .url('must be an smtp:// or smtps:// URL')
    .optional()
    .describe(
      'mail server for verification and reset mails (`smtps://user:pass@host:465`); unset, mails are written to the log and to `MAIL_DEV_DIR` instead',
    ),
  MAIL_FROM: z.string().min(3).default('murmur <no-reply@localhost>').describe('the From of every mail'),
  MAIL_DEV_DIR: z.string().min(1).default('.data/mail').describe('where mails go, one `.eml` file each, when `SMTP_URL` is unset'),
  MAIL_POLL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(600_000)
    .default(5_000)
    .describe('how often the mail sender looks for mail that is due (a new mail is sent at once by the instance that queued it)'),
  MAIL_MAX_AGE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(72)
    .describe('how long a mail the mail server cannot be reached for is retried (at most hourly) before it is dropped and logged; a mail the server refuses for good is dropped at once'),
  MAIL_RETRY_DELAY_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(3_600_000)
    .default(10_000)
    .describe('the wait before a failed mail is tried again; it doubles with each further failure, up to an hour'),
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000).describe('how long one SMTP delivery may take before it counts as failed'),
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(30).describe('how long a mailed password-reset link works'),
  EMAIL_VERIFY_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(72).describe('how long a mailed email-verification link (at registration, or sent again) works'),
  PASSWORD_RESET_MAX_PER_ACCOUNT: z.coerce
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('reset mails per account per hour (more requests answer 202 and send nothing), so nobody can flood an inbox'),
  PASSWORD_RESET_MAX_PER_ADDRESS: z.coerce.number().int().min(1).default(10).describe('reset requests per client address per hour before 429'),
  EMAIL_VERIFY_RESEND_MAX_PER_ACCOUNT: z.coerce
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('verification mails an account may ask to be sent again per hour before 429'),
});

/** The signing key, given inline or as a file (`JWT_PRIVATE_KEY_FILE`); read beside the schema. */
export const PEM_KEY_ENV = 'JWT_PRIVATE_KEY';

export type AuthConfig = z.infer<typeof envSchema> & { jwtPrivateKeyPem: string };

export function loadConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const parsed = parseEnv(envSchema, env);
  return { ...parsed, jwtPrivateKeyPem: readPemFromEnv(env, PEM_KEY_ENV) };
}
