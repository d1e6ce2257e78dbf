/**
 * Brute-force protection. Failed logins are counted per account and per client address in a
 * fixed window, and registrations per address; past the limit a request gets 429 before bcrypt
 * runs, so an attacker can neither guess freely nor tie up the hashing threads.
 *
 * An attempt is counted when it starts, not when bcrypt has judged it, so a burst of parallel
 * guesses cannot all slip past the check; a successful login is refunded.
 *
 * Counts live in this process. Behind several auth-service instances each counts on its own,
 * which multiplies the allowance by the instance count but still bounds it.
 */
import { AppError } from '@murmur/shared/errors';

/** Above this many tracked keys, expired ones are swept before adding more. */
const SWEEP_THRESHOLD_KEYS = 10_000;

interface Window {
  count: number;
  resetAtMs: number;
}

export interface LoginLimiterOptions {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  maxRegistrationsPerAddress: number;
  windowMs: number;
}

export class LoginLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: LoginLimiterOptions) {}

  /** Throws 429 when the account or address is out of attempts; otherwise counts this one. */
  beginLogin(account: string, address: string, now = Date.now()): void {
    this.assertUnder(
      [
        [`account:${account}`, this.options.maxFailuresPerAccount],
        [`address:${address}`, this.options.maxFailuresPerAddress],
      ],
      now,
    );
    this.count(`account:${account}`, now);
    this.count(`address:${address}`, now);
  }

  /** The login succeeded: the account's failures are cleared and the address's attempt refunded. */
  loginSucceeded(account: string, address: string): void {
    this.windows.delete(`account:${account}`);
    const window = this.windows.get(`address:${address}`);
    if (window && window.count > 0) window.count -= 1;
  }

  /** Throws 429 when the address has registered too often; otherwise counts this registration. */
  beginRegistration(address: string, now = Date.now()): void {
    this.assertUnder([[`register:${address}`, this.options.maxRegistrationsPerAddress]], now);
    this.count(`register:${address}`, now);
  }

  private assertUnder(limits: Array<[key: string, max: number]>, now: number): void {
    let blockedUntil = 0;
    for (const [key, max] of limits) {
      const window = this.windows.get(key);
      if (window && window.resetAtMs > now && window.count >= max) blockedUntil = Math.max(blockedUntil, window.resetAtMs);
    }
    if (blockedUntil > now) {
      const retryAfterSeconds = Math.ceil((blockedUntil - now) / 1000);
      throw new AppError(429, 'TOO_MANY_ATTEMPTS', `too many attempts; try again in ${retryAfterSeconds} s`, {
        'Retry-After': String(retryAfterSeconds),
      });
    }
  }

  private count(key: string, now: number): void {
    if (this.windows.size > SWEEP_THRESHOLD_KEYS) this.sweep(now);
    const window = this.windows.get(key);
    if (!window || window.resetAtMs <= now) {
      this.windows.set(key, { count: 1, resetAtMs: now + this.options.windowMs });
    } else {
      window.count += 1;
    }
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAtMs <= now) this.windows.delete(key);
  }
}
