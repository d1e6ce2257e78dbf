/**
 * Password hashing with native bcrypt, always asynchronous so hashing runs on libuv's thread pool
 * and a login storm never blocks the event loop.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';

/** bcrypt reads only the first 72 bytes; longer passwords are refused, never silently truncated. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_BYTES = 8;

export interface Passwords {
  hash(password: string): Promise<string>;
  /** Compares against `hash`, or against a dummy hash when there is no user, taking the same time. */
  verify(password: string, hash: string | undefined): Promise<boolean>;
  /**
   * True for a hash made at a lower cost than the configured one: it is cheaper to attack, and
   * its quick comparison would tell an existing account from an unknown one by timing.
   */
  needsRehash(hash: string): boolean;
}

export async function createPasswords(cost: number): Promise<Passwords> {
  // A hash of a random secret at the same cost: comparing with it costs what a real comparison
  // costs, so "no such user" cannot be told from "wrong password" by timing.
  const dummyHash = await bcrypt.hash(randomBytes(32).toString('hex'), cost);
  return {
    hash: (password) => bcrypt.hash(password, cost),
    async verify(password, hash) {
      const matches = await bcrypt.compare(password, hash ?? dummyHash);
      return matches && hash !== undefined;
    },
    needsRehash: (hash) => bcrypt.getRounds(hash) < cost,
  };
}
