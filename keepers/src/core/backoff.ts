/**
 * Exponential back-off for restarts and a sliding-window rate limiter, both with bounded memory.
 */

/** Delays initialMs, initialMs·factor, … capped at maxMs; `reset()` after a stable run. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly factor: number,
  ) {}

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const delay = Math.min(this.maxMs, Math.round(this.initialMs * this.factor ** this.failures));
    this.failures += 1;
    return delay;
  }

  /** Consecutive failures so far. */
  get count(): number {
    return this.failures;
  }

  reset(): void {
    this.failures = 0;
  }
}

/**
 * At most `limit` events per `windowMs` (sliding window). Memory is bounded by `limit` timestamps.
 *
 * @example
 * ```ts
 * const rl = new RateLimiter(10, 60_000);
 * if (!rl.tryTake()) refuse("rate limited");
 * ```
 */
export class RateLimiter {
  private readonly stamps: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Records an event if the budget allows it; returns false (and records nothing) otherwise. */
  tryTake(now = Date.now()): boolean {
    while (this.stamps.length > 0 && this.stamps[0] <= now - this.windowMs) this.stamps.shift();
    if (this.stamps.length >= this.limit) return false;
    this.stamps.push(now);
    return true;
  }
}
