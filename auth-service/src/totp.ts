/**
 * Time-based one-time passwords (RFC 6238) as every authenticator app makes them: HMAC-SHA-1,
 * 6 digits, a new code every 30 seconds. otpauth does the arithmetic; this module fixes the
 * parameters and says which time step a code was made for, so that each step is accepted once.
 */
import { Secret, TOTP } from 'otpauth';

/** The name apps list the account under, beside the username. */
const ISSUER = 'murmur';
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** RFC 4226 asks for at least 128 bits and recommends 160, the length of an HMAC-SHA-1 key. */
const SECRET_BYTES = 20;
/**
 * Codes of the step before and after the current one pass too, so a phone whose clock is a few
 * seconds off (or a code typed as it changes) still works; codes further away never do.
 */
const ACCEPTED_SKEW_STEPS = 1;

function totp(secret: string, label?: string): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) });
}

/** A new random secret, base32 as apps take it typed in. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://` URL an app reads from a QR code: the secret and its parameters, labelled with the username. */
export function otpauthUrl(secret: string, username: string): string {
  return totp(secret, username).toString();
}

/**
 * The time step (30-second periods since the epoch) `code` was made for, when it matches one
 * within the accepted skew of `nowMs`; undefined when it matches none.
 */
export function stepOfCode(secret: string, code: string, nowMs: number): number | undefined {
  const delta = totp(secret).validate({ token: code, timestamp: nowMs, window: ACCEPTED_SKEW_STEPS });
  return delta === null ? undefined : TOTP.counter({ period: PERIOD_SECONDS, timestamp: nowMs }) + delta;
}
