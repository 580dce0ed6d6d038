import { abortReason, type Clock } from '../clock';

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A token bucket on the engine's clock, first come first served. Callers queue in order, so bakes sharing a
 * bucket are served round-robin: each one re-queues behind the others after its call.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters: Waiter[] = [];
  private pumping = false;

  constructor(
    private readonly clock: Clock,
    readonly capacity: number,
    readonly refillPerSecond: number,
  ) {
    this.tokens = capacity;
    this.last = clock.now();
  }

  /** Resolves when a token is taken; rejects with the signal's reason if it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          reject(abortReason(signal!));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      void this.pump();
    });
  }

  /** Tokens available now (fractional), for tests and diagnostics. */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
      this.last = now;
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        this.refill();
        if (this.tokens >= 1) {
          this.tokens -= 1;
          const waiter = this.waiters.shift()!;
          waiter.signal?.removeEventListener('abort', waiter.onAbort);
          waiter.resolve();
          continue;
        }
        await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.refillPerSecond) * 1000));
      }
    } finally {
      this.pumping = false;
    }
  }
}
