import type { Clock } from '../clock';

interface Entry {
  at: number;
  value: Promise<unknown>;
}

/**
 * Keeps an answer for `ttlMs`, and shares one in-flight load between callers that ask at the same time
 * (the form opening three pickers at once makes one call each, not three). Failures are not kept.
 */
export class TtlCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  get<T>(key: string, load: () => Promise<T>, refresh = false): Promise<T> {
    const now = this.clock.now();
    const entry = this.entries.get(key);
    if (entry && !refresh && now - entry.at < this.ttlMs) return entry.value as Promise<T>;
    this.prune(now);
    const value = load();
    const fresh: Entry = { at: now, value };
    this.entries.set(key, fresh);
    value.catch(() => {
      if (this.entries.get(key) === fresh) this.entries.delete(key);
    });
    return value;
  }

  /** Forgets every key starting with `prefix` (all of them without one). */
  clear(prefix = ''): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.at >= this.ttlMs) this.entries.delete(key);
  }
}
