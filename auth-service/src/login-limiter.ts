/**
 * Brute-force protection, counted in the store every auth-service instance shares: failed
 * logins per account (whichever identifier names it: its username and its email count
 * together) and per client address, successful logins per address, and registrations per
 * address. Past a limit the request gets 429 with Retry-After before bcrypt runs, so an attacker
 * can neither guess freely nor tie up the hashing threads.
 *
 * A login from a device holding the account's device cookie (device-cookies.ts) counts its
 * failures against that device alone: the account's and the address's failure counts are what
 * unknown devices did, and they must not lock the owner out. Only the device's own failures lock
 * it. A logged-in owner confirming their password (before a sensitive change) counts against
 * their session, for the same reason.
 *
 * An attempt counts when it starts, not when bcrypt has judged it, so a burst of parallel
 * guesses cannot all slip past the check: it takes a failure point (of the address, or of the
 * device) and a success point of the address, and its outcome decides which it keeps. A success
 * keeps the success point, clears the failures of the account (or device, or session) and gives
 * back the address's failure point; a failure keeps its failure points. So whatever an address
 * sends, right passwords or wrong, the bcrypt work it causes per window is bounded. An attempt
 * that failed because the database did not answer is given back entirely, so an outage never
 * locks anyone out.
 */
import type pg from 'pg';
import type { Logger } from '@murmur/shared/logger';
import { sharedLimit, type SharedLimit } from '@murmur/shared/rate-limits';

export interface LoginLimiterOptions {
  pool: pg.Pool;
  keyPrefix: string;
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  maxFailuresPerDevice: number;
  maxSuccessesPerAddress: number;
  maxRegistrationsPerAddress: number;
  windowSeconds: number;
  /** Where a refund that failed is reported. */
  logger?: Logger;
}

/** The points one login attempt (or password check) took, to be given back or kept once its outcome is known. */
export interface LoginAttempt {
  /** The address whose success point it took. */
  address: string;
  /** Whether it took a failure point of the address too (it came from an unknown device). */
  addressFailure: boolean;
  /** The failure point it took from the account, the device or the session, whichever counts it. */
  failure?: { limit: SharedLimit; key: string };
}

const TOO_MANY = { code: 'TOO_MANY_ATTEMPTS', message: 'too many attempts' };

/** The key an existing account's failures count under, whichever identifier named it. */
export const accountLimitKey = (userId: number) => `user:${userId}`;

export class LoginLimiter {
  private readonly accountFailures: SharedLimit;
  private readonly addressFailures: SharedLimit;
  private readonly deviceFailures: SharedLimit;
  private readonly sessionFailures: SharedLimit;
  private readonly addressSuccesses: SharedLimit;
  private readonly registrations: SharedLimit;

  constructor(options: LoginLimiterOptions) {
    const common = { pool: options.pool, keyPrefix: options.keyPrefix, windowSeconds: options.windowSeconds, logger: options.logger, ...TOO_MANY };
    this.accountFailures = sharedLimit({ ...common, name: 'login-account', points: options.maxFailuresPerAccount });
    this.addressFailures = sharedLimit({ ...common, name: 'login-address', points: options.maxFailuresPerAddress });
    this.deviceFailures = sharedLimit({ ...common, name: 'login-device', points: options.maxFailuresPerDevice });
    // A session's password checks get the allowance an account has against unknown devices.
    this.sessionFailures = sharedLimit({ ...common, name: 'password-check-session', points: options.maxFailuresPerAccount });
    this.addressSuccesses = sharedLimit({ ...common, name: 'login-address-successes', points: options.maxSuccessesPerAddress });
    this.registrations = sharedLimit({ ...common, name: 'register-address', points: options.maxRegistrationsPerAddress });
  }

  /**
   * Counts an attempt from `address` whose failure the address answers for (an unknown device, or
   * a logged-in password check); 429 when the address is out of attempts.
   */
  async beginLogin(address: string): Promise<LoginAttempt> {
    await this.addressFailures.consume(address);
    await this.addressSuccesses.consume(address);
    return { address, addressFailure: true };
  }

  /** Counts an attempt from the known device `deviceId`, its failure against the device alone; 429 when it is out of attempts. */
  async beginOnKnownDevice(address: string, deviceId: string): Promise<LoginAttempt> {
    await this.deviceFailures.consume(deviceId);
    await this.addressSuccesses.consume(address);
    return { address, addressFailure: false, failure: { limit: this.deviceFailures, key: deviceId } };
  }

  /** Counts the attempt against `account` (a user id, or the unknown identifier); 429 when it is out of attempts. */
  async countAgainstAccount(attempt: LoginAttempt, account: string): Promise<void> {
    await this.accountFailures.consume(account);
    attempt.failure = { limit: this.accountFailures, key: account };
  }

  /**
   * Counts a logged-in owner's password check against their session, not their account: others'
   * failed logins, which lock the account for unknown devices, must not keep its owner from
   * changing the password. 429 when the session is out of attempts.
   */
  async countAgainstSession(attempt: LoginAttempt, sessionId: string): Promise<void> {
    const key = `session:${sessionId}`;
    await this.sessionFailures.consume(key);
    attempt.failure = { limit: this.sessionFailures, key };
  }

  /** It succeeded: it keeps its success point, its failures are cleared, and the address's failure point given back. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await Promise.all([attempt.failure?.limit.reset(attempt.failure.key), attempt.addressFailure ? this.addressFailures.refund(attempt.address) : undefined]);
  }

  /** It failed (a wrong password or code, a suspended account, a limit): it keeps its failure points only. */
  async failed(attempt: LoginAttempt): Promise<void> {
    await this.addressSuccesses.refund(attempt.address);
  }

  /**
   * A right password waiting for its second factor: no guess at the account, which gets its point
   * back, but bcrypt ran, so the address keeps its failure point. (Else one address could spend
   * bcrypt time without end posting a password it knows without the code.)
   */
  async awaitingSecondFactor(attempt: LoginAttempt): Promise<void> {
    await Promise.all([attempt.failure?.limit.refund(attempt.failure.key), this.addressSuccesses.refund(attempt.address)]);
  }

  /** The attempt failed for an outage, which is not the user's doing: nothing it counted stays. */
  async outage(attempt: LoginAttempt): Promise<void> {
    await Promise.all([
      attempt.failure?.limit.refund(attempt.failure.key),
      attempt.addressFailure ? this.addressFailures.refund(attempt.address) : undefined,
      this.addressSuccesses.refund(attempt.address),
    ]);
  }

  /** The owner proved who they are another way (a reset link): the failures counted against the account are forgotten. */
  async clearAccountFailures(userId: number): Promise<void> {
    await this.accountFailures.reset(accountLimitKey(userId));
  }

  /**
   * Counts a registration from `address` (429 when the address has registered too often), then
   * runs `register`; a registration that fails for an outage is not counted.
   */
  registration<T>(address: string, register: () => Promise<T>): Promise<T> {
    return this.registrations.charge(address, register);
  }
}
