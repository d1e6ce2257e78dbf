/**
 * What one account may do per second across all its sockets on this instance, so opening more
 * sockets does not multiply the per-socket rate. Each account has one token bucket per budget
 * (chat messages, typing, presence: a person typing must not use up what they may send), kept
 * while it has a socket here and, once its last socket leaves, until every bucket would be full
 * again: closing every socket and opening a new one gives back no more than waiting would, and
 * memory follows who is (or just was) connected.
 */
import { TokenBucket, type RateLimits } from './rate-limiter.js';

interface Entry<Budget extends string> {
  buckets: Record<Budget, TokenBucket>;
  sockets: number;
  /** Set while the account has no socket here: drops the entry once its buckets are full again. */
  forget?: NodeJS.Timeout;
}

export class PerUserRateLimit<Budget extends string> {
  private readonly entries = new Map<number, Entry<Budget>>();
  /** How long the slowest budget takes to fill up from empty. */
  private readonly refillMs: number;

  constructor(readonly limits: Readonly<Record<Budget, RateLimits>>) {
    const budgets: RateLimits[] = Object.values(limits);
    this.refillMs = Math.max(...budgets.map(({ burst, perSecond }) => Math.ceil((burst / perSecond) * 1_000)));
  }

  /** A socket of `userId` opened. */
  attach(userId: number): void {
    const entry = this.entries.get(userId);
    if (!entry) {
      this.entries.set(userId, { buckets: this.freshBuckets(), sockets: 1 });
      return;
    }
    entry.sockets += 1;
    clearTimeout(entry.forget);
    delete entry.forget;
  }

  /** A socket of `userId` closed. */
  detach(userId: number): void {
    const entry = this.entries.get(userId);
    if (!entry) return;
    entry.sockets -= 1;
    if (entry.sockets > 0) return;
    entry.forget = setTimeout(() => this.entries.delete(userId), this.refillMs);
    entry.forget.unref();
  }

  /** True when `userId` may spend one more of `budget` now (false for an account with no socket here). */
  take(userId: number, budget: Budget): boolean {
    const entry = this.entries.get(userId);
    return entry !== undefined && entry.sockets > 0 && entry.buckets[budget].take();
  }

  private freshBuckets(): Record<Budget, TokenBucket> {
    const budgets = Object.entries(this.limits) as Array<[Budget, RateLimits]>;
    return Object.fromEntries(budgets.map(([budget, limits]) => [budget, new TokenBucket(limits)])) as Record<Budget, TokenBucket>;
  }
}
