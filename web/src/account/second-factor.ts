/** The second factor as a person types it, made into what `POST /login` and `/2fa/totp/enable` take. */
import type { SecondFactor } from '../api/types.js';

/** Authenticator apps show 6 digits, often as "123 456". */
const TOTP_DIGITS = 6;

export const TOTP_CODE_HINT = `Enter the ${TOTP_DIGITS} digits your authenticator app shows for murmur.`;

/** The digits of a typed code, spaces and dashes dropped; undefined when they are not 6 digits. */
export function totpCode(typed: string): string | undefined {
  const digits = typed.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(digits) ? digits : undefined;
}

export type SecondFactorKind = 'totp' | 'recoveryCode';

/**
 * What a login sends as its second factor: an authenticator code, or a recovery code (trimmed:
 * its form is the server's to check). Throws an Error in words when there is nothing to send.
 */
export function secondFactor(kind: SecondFactorKind, typed: string): SecondFactor {
  if (kind === 'recoveryCode') {
    const code = typed.trim();
    if (!code) throw new Error('Enter one of your recovery codes.');
    return { recoveryCode: code };
  }
  const code = totpCode(typed);
  if (!code) throw new Error(`Enter the ${TOTP_DIGITS} digits your authenticator app shows.`);
  return { totp: code };
}
