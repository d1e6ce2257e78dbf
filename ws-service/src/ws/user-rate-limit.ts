/**
 * The chat messages one account may send per second across all its sockets on this instance,
 * so opening more sockets does not multiply the per-socket rate. One token bucket per account
 * with a socket here, dropped when its last socket leaves, so memory follows who is connected.
 */
import { TokenBucket, type RateLimits } from './rate-limiter.js';

interface Entry {
  bucket: TokenBucket;
  sockets: number;
}

export class PerUserRateLimit {
  private readonly entries = new Map<number, Entry>();

  constructor(readonly limits: RateLimits) {}

  /** A socket of `userId` opened. */
  attach(userId: number): void {
    const entry = this.entries.get(userId);
    if (entry) entry.sockets += 1;
    else this.entries.set(userId, { bucket: new TokenBucket(this.limits), sockets: 1 });
  }

  /** A socket of `userId` closed. */
  detach(userId: number): void {
    const entry = this.entries.get(userId);
    if (!entry) return;
    entry.sockets -= 1;
    if (entry.sockets === 0) this.entries.delete(userId);
  }

  /** True when `userId` may send one more message now. */
  take(userId: number): boolean {
    return this.entries.get(userId)?.bucket.take() ?? false;
  }
}
