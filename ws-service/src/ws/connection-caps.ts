/**
 * Caps on the WebSocket connections one user and one address hold on this instance, so one
 * token or one host cannot take the file descriptors and memory everyone else needs. A slot is
 * claimed when an upgrade starts (the address before the token is even checked, the user once
 * it is) and given back when the upgrade fails or the socket closes; upgrades still in progress
 * count, so a burst of parallel handshakes cannot slip past the cap.
 */
import { AppError } from '@murmur/shared/errors';

export interface ConnectionCapLimits {
  perUser: number;
  perAddress: number;
}

/** Gives the slot back; calling it again does nothing. */
export type Release = () => void;

/** How long a refused client is told to wait: long enough not to hammer, short enough to retry after closing a tab. */
const RETRY_AFTER_SECONDS = 10;

class Counter<K> {
  private readonly counts = new Map<K, number>();

  constructor(
    private readonly max: number,
    private readonly refusal: () => AppError,
  ) {}

  claim(key: K): Release {
    const count = this.counts.get(key) ?? 0;
    if (count >= this.max) throw this.refusal();
    this.counts.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left === 0) this.counts.delete(key);
      else this.counts.set(key, left);
    };
  }
}

const tooMany = (what: string, max: number) => () =>
  new AppError(429, 'TOO_MANY_CONNECTIONS', `${what} already has ${max} open connections; close one first`, { 'Retry-After': String(RETRY_AFTER_SECONDS) });

export class ConnectionCaps {
  private readonly users: Counter<number>;
  private readonly addresses: Counter<string>;

  constructor(limits: ConnectionCapLimits) {
    this.users = new Counter(limits.perUser, tooMany('this account', limits.perUser));
    this.addresses = new Counter(limits.perAddress, tooMany('this address', limits.perAddress));
  }

  /** Claims a slot for `address`; 429 TOO_MANY_CONNECTIONS when it has none left. */
  claimAddress(address: string): Release {
    return this.addresses.claim(address);
  }

  /** Claims a slot for `userId`; 429 TOO_MANY_CONNECTIONS when the user has none left. */
  claimUser(userId: number): Release {
    return this.users.claim(userId);
  }
}
