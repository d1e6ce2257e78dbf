/**
 * A token bucket for the frames of one connection: `burst` frames at once, refilled at `perSecond`.
 * It also counts the frames it refused in the current second, so the caller can tell a client
 * that slips over the limit (answered with an error) from one that floods (disconnected).
 */

/** The window over which refused frames are counted, in milliseconds. */
const REFUSED_WINDOW_MS = 1_000;

export interface RateLimits {
  /** Refill rate, frames per second. */
  perSecond: number;
  /** Bucket size, frames. */
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private refilledAtMs: number;
  private windowStartMs = 0;
  /** Frames refused since `windowStartMs`. */
  refusedInWindow = 0;

  constructor(private readonly limits: RateLimits) {
    this.tokens = limits.burst;
    this.refilledAtMs = performance.now();
  }

  /** True when a frame may be handled now; false (and counted) when it must be refused. */
  take(): boolean {
    const now = performance.now();
    const { perSecond, burst } = this.limits;
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAtMs) * perSecond) / 1_000);
    this.refilledAtMs = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    if (now - this.windowStartMs >= REFUSED_WINDOW_MS) {
      this.windowStartMs = now;
      this.refusedInWindow = 0;
    }
    this.refusedInWindow += 1;
    return false;
  }
}
