/** Request bodies of auth-service, validated with zod. */
import { z } from 'zod';
import { withoutNul } from '@murmur/shared/http';
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_BYTES } from '../passwords.js';

const utf8Bytes = (value: string) => Buffer.byteLength(value, 'utf8');

const password = z
  .string({ error: 'is required and must be a string' })
  .refine(...withoutNul)
  .refine((p) => utf8Bytes(p) >= MIN_PASSWORD_BYTES, `must be at least ${MIN_PASSWORD_BYTES} bytes`)
  .refine((p) => utf8Bytes(p) <= MAX_PASSWORD_BYTES, `must be at most ${MAX_PASSWORD_BYTES} bytes of UTF-8`);

export const registerBody = z.object({
  username: z
    .string({ error: 'is required and must be a string' })
    .regex(/^[A-Za-z0-9_]{3,30}$/, 'must be 3-30 letters, digits or underscores'),
  email: z
    .string({ error: 'is required and must be a string' })
    .trim()
    .max(254, 'must be at most 254 characters')
    .pipe(z.email({ error: 'must be a valid email address' })),
  password,
});

/** At login only the upper bound matters: a shorter password simply does not match. */
const loginPassword = z
  .string()
  .min(1)
  .refine(...withoutNul)
  .refine((p) => utf8Bytes(p) <= MAX_PASSWORD_BYTES, `must be at most ${MAX_PASSWORD_BYTES} bytes of UTF-8`);

/** Log in by email or by username, never both. */
export const loginBody = z.union(
  [
    z.strictObject({
      email: z.string().trim().min(1).max(254).refine(...withoutNul),
      password: loginPassword,
    }),
    z.strictObject({
      username: z.string().min(1).max(30).refine(...withoutNul),
      password: loginPassword,
    }),
  ],
  { error: 'send {email, password} or {username, password}' },
);

/** The account as its owner sees it. */
export const accountSchema = z.object({ id: z.number().int(), username: z.string(), email: z.string(), createdAt: z.iso.datetime() }).meta({ id: 'Account' });

export const signedInResponse = z.object({ user: accountSchema, token: z.string().describe('a JWT; send it as `Authorization: Bearer <token>`') });

export const loggedOutResponse = z.object({ status: z.literal('logged_out') });
