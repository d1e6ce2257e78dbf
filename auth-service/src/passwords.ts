/**
 * Password hashing with native bcrypt, always asynchronous so hashing runs on libuv's thread pool
 * and a login storm never blocks the event loop.
 *
 * bcrypt reads only the first 72 bytes of what it hashes and stops at a NUL byte, and a password
 * may be 128 characters (up to 512 bytes). So a password is pre-hashed: bcrypt hashes the base64
 * of its HMAC-SHA-256 (44 ASCII characters), and every character of the password counts. Such a
 * hash is stored as `$murmur-sha256$` followed by the bcrypt hash. Hashes stored before
 * pre-hashing (bcrypt of the password itself, at most 72 bytes) keep verifying, and are replaced
 * at the owner's next login.
 */
import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';

/** bcrypt ignores what comes after this many bytes. */
const BCRYPT_MAX_BYTES = 72;
const PREHASHED = '$murmur-sha256$';
/**
 * Keys the pre-hash to murmur. A plain SHA-256 of a password, leaked by some other site, could be
 * tried against our bcrypt hashes directly ("password shucking"); an HMAC under a key of our own
 * is found nowhere else. It is not a secret: its value only has to differ from everyone else's.
 */
const PREHASH_KEY = 'murmur password pre-hash v1';

const prehash = (password: string) => createHmac('sha256', PREHASH_KEY).update(password, 'utf8').digest('base64');

export interface Passwords {
  hash(password: string): Promise<string>;
  /** Compares against `hash`, or against a dummy hash when there is no user, taking the same time. */
  verify(password: string, hash: string | undefined): Promise<boolean>;
  /**
   * True for a hash that is not pre-hashed (it lets only 72 bytes of a password count) or was
   * made at a lower cost than the configured one: it is cheaper to attack, and its quick
   * comparison would tell an existing account from an unknown one by timing.
   */
  needsRehash(hash: string): boolean;
}

export async function createPasswords(cost: number): Promise<Passwords> {
  // A hash of a random secret at the same cost: comparing with it costs what a real comparison
  // costs, so "no such user" cannot be told from "wrong password" by timing.
  const dummyHash = await bcrypt.hash(randomBytes(32).toString('hex'), cost);
  return {
    hash: async (password) => PREHASHED + (await bcrypt.hash(prehash(password), cost)),
    async verify(password, hash) {
      const stored = hash?.startsWith(PREHASHED) ? hash.slice(PREHASHED.length) : undefined;
      // A hash from before pre-hashing saw a password of at most 72 bytes. A longer password is
      // not that one, though bcrypt would match it on its first 72 bytes alone.
      if (hash !== undefined && stored === undefined && Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_BYTES) {
        return bcrypt.compare(password, hash);
      }
      const matches = await bcrypt.compare(prehash(password), stored ?? dummyHash);
      return matches && stored !== undefined;
    },
    needsRehash: (hash) => !hash.startsWith(PREHASHED) || bcrypt.getRounds(hash.slice(PREHASHED.length)) < cost,
  };
}
