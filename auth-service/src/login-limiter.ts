/**
 * Brute-force protection, counted in the store every auth-service instance shares: failed
 * logins per account (whichever identifier names it: its username and its email count
 * together) and per client address, and registrations per address. Past a limit the request
 * gets 429 with Retry-After before bcrypt runs, so an attacker can neither guess freely nor tie
 * up the hashing threads.
 *
 * An attempt counts when it starts, not when bcrypt has judged it, so a burst of parallel
 * guesses cannot all slip past the check. A successful login clears the account's failures and
 * refunds the address's attempt; an attempt that failed because the database did not answer is
 * refunded too, so an outage never locks anyone out.
 */
import type pg from 'pg';
import type { Logger } from '@murmur/shared/logger';
import { sharedLimit, type SharedLimit } from '@murmur/shared/rate-limits';

export interface LoginLimiterOptions {
  pool: pg.Pool;
  keyPrefix: string;
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  maxRegistrationsPerAddress: number;
  windowSeconds: number;
  /** Where a refund that failed is reported. */
  logger?: Logger;
}

/** The counts one login attempt took, to be refunded or cleared once its outcome is known. */
export interface LoginAttempt {
  address: string;
  account?: string;
}

const TOO_MANY = { code: 'TOO_MANY_ATTEMPTS', message: 'too many attempts' };

export class LoginLimiter {
  private readonly accountFailures: SharedLimit;
  private readonly addressFailures: SharedLimit;
  private readonly registrations: SharedLimit;

  constructor(options: LoginLimiterOptions) {
    const common = { pool: options.pool, keyPrefix: options.keyPrefix, windowSeconds: options.windowSeconds, logger: options.logger, ...TOO_MANY };
    this.accountFailures = sharedLimit({ ...common, name: 'login-account', points: options.maxFailuresPerAccount });
    this.addressFailures = sharedLimit({ ...common, name: 'login-address', points: options.maxFailuresPerAddress });
    this.registrations = sharedLimit({ ...common, name: 'register-address', points: options.maxRegistrationsPerAddress });
  }

  /** Counts an attempt from `address`; 429 when the address is out of attempts. */
  async beginLogin(address: string): Promise<LoginAttempt> {
    await this.addressFailures.consume(address);
    return { address };
  }

  /** Counts the attempt against `account` (a user id, or the unknown identifier); 429 when it is out of attempts. */
  async countAgainstAccount(attempt: LoginAttempt, account: string): Promise<void> {
    await this.accountFailures.consume(account);
    attempt.account = account;
  }

  /** The login succeeded: the account's failures are cleared and the address's attempt refunded. */
  async loginSucceeded(attempt: LoginAttempt): Promise<void> {
    await Promise.all([attempt.account ? this.accountFailures.reset(attempt.account) : undefined, this.addressFailures.refund(attempt.address)]);
  }

  /** The attempt failed for a reason that is not the user's (an outage): nothing it counted stays. */
  async refund(attempt: LoginAttempt): Promise<void> {
    await Promise.all([attempt.account ? this.accountFailures.refund(attempt.account) : undefined, this.addressFailures.refund(attempt.address)]);
  }

  /**
   * Counts a registration from `address` (429 when the address has registered too often), then
   * runs `register`; a registration that fails for an outage is not counted.
   */
  registration<T>(address: string, register: () => Promise<T>): Promise<T> {
    return this.registrations.charge(address, register);
  }
}
