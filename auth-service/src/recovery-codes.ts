/**
 * Recovery codes: the single-use codes that stand in for the authenticator app when it is lost.
 * They are shown once, so they must be easy to copy onto paper and type back: ten characters
 * of Crockford's base32 in two groups (`7k2mq-x9d4r`), 50 random bits each. Only their SHA-256
 * is stored; being random, they need no slow hash.
 */
import { createHash, randomBytes } from 'node:crypto';

/** How many codes enabling two-factor login hands out. */
export const RECOVERY_CODE_COUNT = 10;

/** Crockford's base32: no i, l, o or u, so no character reads as another. 32 symbols, 5 bits each. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUP_LENGTH = 5;
const GROUPS = 2;

function newRecoveryCode(): string {
  // 256 is a multiple of 32, so each byte's low five bits pick a symbol uniformly.
  const symbols = [...randomBytes(GROUP_LENGTH * GROUPS)].map((byte) => ALPHABET[byte & 31]).join('');
  return symbols.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))!.join('-');
}

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
}

/**
 * What is stored and compared: the code without case, dashes or spaces, with the letters people
 * mistake for digits read as those digits (Crockford's rule), then hashed.
 */
export function hashRecoveryCode(code: string): string {
  const normalized = code
    .toLowerCase()
    .replace(/[\s-]/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
  return createHash('sha256').update(normalized).digest('hex');
}
