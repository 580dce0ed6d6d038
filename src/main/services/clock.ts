/**
 * Time as the services see it. Everything that waits or timestamps takes a Clock, so tests and benchmarks
 * can run a 20-minute bake against the sandbox in well under a second with a VirtualClock.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason (an AbortError) as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error(typeof reason === 'string' ? reason : 'The operation was aborted');
  error.name = 'AbortError';
  return error;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock whose time only moves when told to, or — in auto mode — whenever the process has nothing else
 * to do: when no tracked work (HTTP calls to the sandbox, file writes) is in flight, it jumps straight to
 * the earliest pending sleep. Concurrent sleepers therefore share virtual time instead of adding up, which
 * is what makes concurrency figures from the benchmarks meaningful.
 */
export class VirtualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;
  private busy = 0;
  private auto = false;
  private scheduled = false;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const timer: Timer = {
        at: this.current + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.kick();
    });
  }

  /** Moves time forward by `ms`, firing every sleep that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      next.resolve();
      await settle();
    }
    this.current = target;
  }

  /** Auto mode: time jumps to the next sleep whenever no tracked work is in flight. */
  startAuto(): void {
    this.auto = true;
    this.kick();
  }

  stopAuto(): void {
    this.auto = false;
  }

  /** Marks `work` as in flight, so auto mode does not move time underneath it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    return work.finally(() => {
      this.busy--;
      this.kick();
    });
  }

  get pendingSleeps(): number {
    return this.timers.length;
  }

  private kick(): void {
    if (!this.auto || this.scheduled) return;
    this.scheduled = true;
    // A macrotask turn lets promise chains settle and new sleeps register before time jumps.
    setImmediate(() => {
      this.scheduled = false;
      if (!this.auto || this.busy > 0) return;
      const next = this.timers.shift();
      if (!next) return;
      this.current = Math.max(this.current, next.at);
      next.resolve();
      this.kick();
    });
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
