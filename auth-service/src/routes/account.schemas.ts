/** Request and answer bodies of the account's lifecycle, validated with zod. */
import { z } from 'zod';
import { newPasswordField } from '../password-policy.js';
import { currentPasswordField, registerBody } from './auth.schemas.js';

export const changePasswordBody = z.object({ currentPassword: currentPasswordField, newPassword: newPasswordField });

export const forgotPasswordBody = z.object({ email: registerBody.shape.email });

/** The token of a mailed link (43 characters); any text of a sane length that is not one answers `TOKEN_INVALID`. */
const linkToken = z.string({ error: 'is required and must be a string' }).min(1, 'is required').max(256, 'must be at most 256 characters');

export const resetPasswordBody = z.object({ token: linkToken, newPassword: newPasswordField });

export const verifyEmailBody = z.object({ token: linkToken });

export const sessionIdParams = z.object({ id: z.uuid({ error: 'must be a session id (a UUID)' }) });

const sessionSchema = z
  .object({
    id: z.uuid(),
    createdAt: z.iso.datetime().describe('when the session began: a login or a registration'),
    lastUsedAt: z.iso.datetime().nullable().describe('when a request last came with it, to within a few minutes'),
    userAgent: z.string().nullable().describe('the User-Agent of the login (its first 512 characters); null when none was sent'),
    current: z.boolean().describe('the session this request came with'),
  })
  .meta({ id: 'Session' });

export const sessionsResponse = z.object({ items: z.array(sessionSchema) });

export const acceptedResponse = z.object({ status: z.literal('accepted') });
