/**
 * Brute-force protection: counts failed logins per account and per client address in a fixed
 * window, and refuses further attempts before bcrypt runs, so an attacker can neither guess
 * freely nor tie up the hashing threads.
 *
 * Counts live in this process. Behind several auth-service instances each counts on its own,
 * which multiplies the allowance by the instance count but still bounds it.
 */
import { AppError } from '@murmur/shared/errors';

/** Above this many tracked keys, expired ones are swept before adding more. */
const SWEEP_THRESHOLD_KEYS = 10_000;

interface Window {
  failures: number;
  resetAtMs: number;
}

export interface LoginLimiterOptions {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowMs: number;
}

export class LoginLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: LoginLimiterOptions) {}

  /** Throws 429 when the account or the address has used up its failures for this window. */
  assertAllowed(account: string, address: string, now = Date.now()): void {
    const blockedUntil = Math.max(
      this.blockedUntil(`account:${account}`, this.options.maxFailuresPerAccount, now),
      this.blockedUntil(`address:${address}`, this.options.maxFailuresPerAddress, now),
    );
    if (blockedUntil > now) {
      const retryAfterSeconds = Math.ceil((blockedUntil - now) / 1000);
      throw new AppError(429, 'TOO_MANY_ATTEMPTS', `too many failed logins; try again in ${retryAfterSeconds} s`, {
        'Retry-After': String(retryAfterSeconds),
      });
    }
  }

  recordFailure(account: string, address: string, now = Date.now()): void {
    if (this.windows.size > SWEEP_THRESHOLD_KEYS) this.sweep(now);
    this.count(`account:${account}`, now);
    this.count(`address:${address}`, now);
  }

  /** A successful login clears the account's failures (the address keeps its count). */
  recordSuccess(account: string): void {
    this.windows.delete(`account:${account}`);
  }

  private blockedUntil(key: string, max: number, now: number): number {
    const window = this.windows.get(key);
    if (!window || window.resetAtMs <= now) return 0;
    return window.failures >= max ? window.resetAtMs : 0;
  }

  private count(key: string, now: number): void {
    const window = this.windows.get(key);
    if (!window || window.resetAtMs <= now) {
      this.windows.set(key, { failures: 1, resetAtMs: now + this.options.windowMs });
    } else {
      window.failures += 1;
    }
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAtMs <= now) this.windows.delete(key);
  }
}
