/** Request bodies and answers of registering, logging in and out, validated with zod. */
import { z } from 'zod';
import { withoutNul } from '@murmur/shared/http';
import { characterCount, MAX_PASSWORD_CHARACTERS, newPasswordField } from '../password-policy.js';

export const registerBody = z.object({
  username: z
    .string({ error: 'is required and must be a string' })
    .regex(/^[A-Za-z0-9_]{3,30}$/, 'must be 3-30 letters, digits or underscores'),
  email: z
    .string({ error: 'is required and must be a string' })
    .trim()
    .max(254, 'must be at most 254 characters')
    .pipe(z.email({ error: 'must be a valid email address' })),
  password: newPasswordField,
});

/**
 * A password checked against the stored one (at login, or confirming a change): only the upper
 * bound matters, since a shorter password simply does not match.
 */
export const currentPasswordField = z
  .string({ error: 'is required and must be a string' })
  .min(1)
  .refine(...withoutNul)
  .refine((p) => characterCount(p) <= MAX_PASSWORD_CHARACTERS, `must be at most ${MAX_PASSWORD_CHARACTERS} characters`);

/** The authenticator app's code; apps show it as `123 456`, so spaces are dropped. */
export const totpCode = z
  .string({ error: 'must be a string' })
  .transform((code) => code.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'must be the 6 digits of the authenticator app'));

/** The second factor, after 401 `TOTP_REQUIRED`: one of the two, never both. */
const secondFactor = {
  totp: totpCode.optional().describe('the 6 digits of the authenticator app, for an account with two-factor login on'),
  recoveryCode: z
    .string({ error: 'must be a string' })
    .min(1)
    .max(64)
    .refine(...withoutNul)
    .optional()
    .describe('instead of `totp`: one of the recovery codes given when two-factor login was turned on; each works once'),
};

/** Log in by email or by username, never both. */
export const loginBody = z
  .union(
    [
      z.strictObject({ email: z.string().trim().min(1).max(254).refine(...withoutNul), password: currentPasswordField, ...secondFactor }),
      z.strictObject({ username: z.string().min(1).max(30).refine(...withoutNul), password: currentPasswordField, ...secondFactor }),
    ],
    { error: 'send {email, password} or {username, password}' },
  )
  .refine((body) => body.totp === undefined || body.recoveryCode === undefined, { error: 'send totp or recoveryCode, not both', path: ['recoveryCode'] });

/** The account as its owner sees it. */
export const accountSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string(),
    createdAt: z.iso.datetime(),
    emailVerified: z.boolean().describe('the owner opened the link mailed to the address'),
    totpEnabled: z.boolean().describe('logging in takes a code of the authenticator app (or a recovery code) besides the password'),
  })
  .meta({ id: 'Account' });

export const signedInResponse = z.object({ user: accountSchema, token: z.string().describe('a JWT; send it as `Authorization: Bearer <token>`') });

export const loggedInResponse = signedInResponse.extend({
  failedLoginAttempts: z
    .number()
    .int()
    .min(0)
    .describe('failed logins against the account since its previous successful one (wrong passwords and codes), for the owner to see'),
});

export const loggedOutResponse = z.object({ status: z.literal('logged_out') });
