import { stripAnsi } from './ansi';

export interface ConsoleLinesOptions {
  /** Past this many lines the oldest are dropped (they stay in the saved log). Default 200,000. */
  maxLines?: number;
  /** Runs a flush later; the view passes requestAnimationFrame so a burst of events renders once a frame. */
  schedule?: (flush: () => void) => void;
}

const DEFAULT_MAX_LINES = 200_000;

/**
 * One bake's console as the renderer holds it: plain arrays outside React state, so appending thousands of
 * lines costs a push and one scheduled notification, not a re-render per event. Indexes are positions in
 * what is held; `epoch` changes whenever they shift (older lines loaded in front, or the oldest dropped),
 * which is when a search must start over.
 */
export class ConsoleLines {
  private lines: string[] = [];
  private plain: (string | undefined)[] = [];
  private notLoaded = 0;
  private droppedLines = 0;
  private readonly listeners = new Set<() => void>();
  private flushPending = false;
  private readonly maxLines: number;
  private readonly schedule: (flush: () => void) => void;
  /** Bumped on every change listeners were told about; a cheap snapshot for useSyncExternalStore. */
  version = 0;
  epoch = 0;

  constructor(options: ConsoleLinesOptions = {}) {
    this.maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
    this.schedule = options.schedule ?? queueMicrotask;
  }

  get length(): number {
    return this.lines.length;
  }

  /** Lines that exist before the first one held but were never loaded (a resync hands over only the tail). */
  get earlier(): number {
    return this.notLoaded;
  }

  /** Lines dropped from the front to stay within maxLines. */
  get dropped(): number {
    return this.droppedLines;
  }

  /** Lines in the log up to the last one held, counting those not loaded or dropped: where the next one goes. */
  get total(): number {
    return this.notLoaded + this.droppedLines + this.lines.length;
  }

  line(index: number): string | undefined {
    return this.lines[index];
  }

  /** The line without ANSI codes, computed once. */
  plainLine(index: number): string {
    const cached = this.plain[index];
    if (cached !== undefined) return cached;
    const line = this.lines[index];
    if (line === undefined) return '';
    const plain = stripAnsi(line);
    this.plain[index] = plain;
    return plain;
  }

  /** Starts over from a snapshot: its last lines, and how many there are in all. */
  reset(lines: readonly string[], total: number): void {
    this.lines = [...lines];
    this.plain = [];
    this.notLoaded = Math.max(0, total - lines.length);
    this.droppedLines = 0;
    this.epoch++;
    this.changed();
  }

  append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    // A loop, not push(...lines): spreading a huge batch would overflow the call stack.
    for (const line of lines) this.lines.push(line);
    // Trim in steps of a tenth, so the O(n) splice happens once per many appends, not on each one.
    if (this.lines.length > this.maxLines + Math.ceil(this.maxLines / 10)) {
      const excess = this.lines.length - this.maxLines;
      this.lines.splice(0, excess);
      this.plain.splice(0, excess);
      this.droppedLines += excess;
      this.epoch++;
    }
    this.changed();
  }

  /** Older lines fetched from the saved log, in front of those held. */
  prepend(lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.lines = [...lines, ...this.lines];
    this.plain = [...new Array<undefined>(lines.length), ...this.plain];
    this.notLoaded = Math.max(0, this.notLoaded - lines.length);
    this.epoch++;
    this.changed();
  }

  /** Indexes of lines containing `query` (case-insensitive, colours ignored), from `from` on. */
  find(query: string, from = 0): number[] {
    const needle = query.toLowerCase();
    if (needle === '') return [];
    const hits: number[] = [];
    for (let i = Math.max(0, from); i < this.lines.length; i++) {
      if (this.plainLine(i).toLowerCase().includes(needle)) hits.push(i);
    }
    return hits;
  }

  /** Everything held, without colours, one line each. */
  text(): string {
    let out = '';
    for (let i = 0; i < this.lines.length; i++) out += `${this.plainLine(i)}\n`;
    return out;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.flushPending) return;
    this.flushPending = true;
    this.schedule(() => {
      this.flushPending = false;
      this.version++;
      for (const listener of this.listeners) listener();
    });
  }
}

/**
 * Search results that keep up with a growing console: new lines are scanned as they arrive instead of the
 * whole log on every append; a new query, or shifted indexes (a new epoch), start over.
 */
export class ConsoleSearch {
  private query = '';
  private epoch = -1;
  private scanned = 0;
  private hits: number[] = [];

  update(lines: ConsoleLines, query: string): readonly number[] {
    if (query !== this.query || lines.epoch !== this.epoch) {
      this.query = query;
      this.epoch = lines.epoch;
      this.scanned = 0;
      this.hits = [];
    }
    if (this.scanned < lines.length) {
      const found = lines.find(query, this.scanned);
      this.scanned = lines.length;
      if (found.length > 0) this.hits = this.hits.concat(found);
    }
    return this.hits;
  }
}
