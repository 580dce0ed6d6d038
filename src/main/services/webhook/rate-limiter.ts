import type { Clock } from '../clock';

const WINDOW_MS = 60_000;

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * At most `perMinute` bakes per project in any sliding minute, per process. Only requests that would start
 * a bake count: pings, ignored pushes and duplicates cost nothing.
 */
export class RateLimiter {
  private readonly starts = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly perMinute: number,
  ) {}

  take(key: string): RateDecision {
    const now = this.clock.now();
    const recent = (this.starts.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
    if (recent.length >= this.perMinute) {
      this.starts.set(key, recent);
      const oldest = recent[0] ?? now;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
    }
    recent.push(now);
    this.starts.set(key, recent);
    return { ok: true };
  }

  /** Gives a slot back when the bake it was taken for did not start. */
  giveBack(key: string): void {
    this.starts.get(key)?.pop();
  }
}
