import { abortReason } from '../clock';

interface Waiter {
  grant: (release: () => void) => void;
  reject: (error: Error) => void;
  signal: AbortSignal;
  onAbort: () => void;
  onPosition?: (ahead: number) => void;
}

interface Lane {
  key: string;
  running: number;
  waiting: Waiter[];
}

/**
 * Concurrency slots per key (account + region): at most `limit` bakes hold a slot at once, the rest wait in
 * order. Each waiter hears how many waiters are ahead of it whenever that changes ("queued, 2 ahead").
 */
export class SlotQueue {
  private readonly lanes = new Map<string, Lane>();

  constructor(private limit: number) {}

  /** A new limit applies at once: a raised one lets waiting bakes start now, a lowered one lets none in. */
  setLimit(limit: number): void {
    this.limit = limit;
    for (const lane of this.lanes.values()) {
      while (lane.running < this.limit && lane.waiting.length > 0) this.grantNext(lane);
    }
  }

  /** Resolves with a release function once a slot is free; rejects if the signal aborts while waiting. */
  acquire(key: string, signal: AbortSignal, onPosition?: (ahead: number) => void): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    const lane = this.lane(key);
    if (lane.running < this.limit && lane.waiting.length === 0) {
      lane.running++;
      return Promise.resolve(this.releaser(lane));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        reject,
        signal,
        onAbort: () => {
          const at = lane.waiting.indexOf(waiter);
          if (at >= 0) lane.waiting.splice(at, 1);
          reject(abortReason(signal));
          this.announce(lane, at);
        },
        ...(onPosition ? { onPosition } : {}),
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      lane.waiting.push(waiter);
      onPosition?.(lane.waiting.length - 1);
    });
  }

  /**
   * Takes a slot without waiting, even over the limit: for a bake resumed after a restart, whose builder is
   * already running (and billed) — it finishes first, and new bakes wait for it like for any other.
   */
  occupy(key: string): () => void {
    const lane = this.lane(key);
    lane.running++;
    return this.releaser(lane);
  }

  /** Bakes holding a slot and bakes waiting, per key. */
  snapshot(key: string): { running: number; waiting: number } {
    const lane = this.lanes.get(key);
    return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { key, running: 0, waiting: [] }));
    return lane;
  }

  private releaser(lane: Lane): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.running--;
      // Over the limit (bakes resumed after a restart occupy slots regardless): the next one still waits.
      if (lane.running < this.limit && lane.waiting.length > 0) this.grantNext(lane);
      else if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(lane.key);
    };
  }

  private grantNext(lane: Lane): void {
    const next = lane.waiting.shift();
    if (!next) return;
    next.signal.removeEventListener('abort', next.onAbort);
    lane.running++;
    next.grant(this.releaser(lane));
    this.announce(lane, 0);
  }

  private announce(lane: Lane, from: number): void {
    lane.waiting.forEach((w, i) => {
      if (i >= from) w.onPosition?.(i);
    });
  }
}
