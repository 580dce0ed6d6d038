import type { Clock } from '../clock';

const MAX_TRACKED = 10_000;

/**
 * Failed authentications per address, as a token bucket: `burst` failures at once, then one more every
 * `refillMs`. An address out of allowance is answered 429 before anything is looked up or read. Memory is
 * bounded: past MAX_TRACKED addresses the least recently failing are forgotten (they start afresh).
 */
export class FailureThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly burst: number,
    private readonly refillMs: number,
  ) {}

  /** Seconds until the address may try again, or undefined when it may now. */
  retryAfter(key: string): number | undefined {
    const bucket = this.refilled(key);
    if (!bucket || bucket.tokens >= 1) return undefined;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * this.refillMs) / 1000));
  }

  fail(key: string): void {
    const bucket = this.refilled(key) ?? { tokens: this.burst, at: this.clock.now() };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    // Re-inserted, so the map's order is least recently failing first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_TRACKED) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }

  /** Addresses currently out of allowance. */
  blockedCount(): number {
    let count = 0;
    for (const key of this.buckets.keys()) if (this.retryAfter(key) !== undefined) count++;
    return count;
  }

  private refilled(key: string): { tokens: number; at: number } | undefined {
    const bucket = this.buckets.get(key);
    if (!bucket) return undefined;
    const now = this.clock.now();
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.refillMs);
    bucket.at = now;
    if (bucket.tokens >= this.burst) this.buckets.delete(key);
    return bucket;
  }
}
