import { plain, SHUTDOWN_START } from '../../../protocol/markers';

/** How many of the last kept lines must match for the console to count as seen up to there. */
const RESUME_MATCH_LINES = 3;
/** Lines in an error report: what a person reads to see why a script failed. */
const REPORT_LINES = 40;

/**
 * Turns successive GetConsoleOutput snapshots into new lines. EC2 returns the whole buffer (at most its last
 * 64 KB) every time, so each snapshot repeats what was seen before and, once the buffer is full, starts later
 * than the previous one. The overlap is the longest end of the previous snapshot that begins the new one.
 */
export class ConsoleTail {
  private previous = '';
  private partial = '';
  private readonly recent: string[] = [];
  /** Lines already kept from this builder before a restart, to be passed over in the first snapshot. */
  private known: string[] = [];

  /**
   * `keepLines`: as many as one 64 KB console snapshot can hold. A real systemd shutdown prints well over a
   * hundred lines after the script's done marker (seen on the Sandbox's real VMs); keeping fewer lost the
   * marker, and with it the script's last words, from every failure report.
   */
  constructor(
    private readonly keepLines = 2_000,
    private readonly maxLineLength = 4096,
  ) {}

  /** Feeds one snapshot (decoded text); returns the complete lines not seen before. */
  push(snapshot: string): string[] {
    const text = snapshot.replace(/\r\n?/g, '\n').replaceAll('\0', '');
    const overlap = longestSuffixPrefix(this.previous, text);
    const fresh = text.slice(overlap);
    this.previous = text;
    if (fresh === '') return [];
    const parts = (this.partial + fresh).split('\n');
    this.partial = parts.pop() ?? '';
    const lines = this.skipKnown(
      parts.map((line) =>
        line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line,
      ),
    );
    this.recent.push(...lines);
    if (this.recent.length > this.keepLines) this.recent.splice(0, this.recent.length - this.keepLines);
    return lines;
  }

  /**
   * A bake resumed after a restart sees the builder's whole console again: the lines it had already kept
   * (the end of its console log) are passed over once, where the first snapshot repeats them.
   */
  resumeAfter(kept: readonly string[]): void {
    this.known = kept.slice(-RESUME_MATCH_LINES);
    this.recent.push(...kept.slice(-this.keepLines));
  }

  private skipKnown(lines: string[]): string[] {
    const known = this.known;
    if (known.length === 0) return lines;
    this.known = [];
    for (let end = lines.length; end >= known.length; end--) {
      if (known.every((line, i) => lines[end - known.length + i] === line)) return lines.slice(end);
    }
    return lines;
  }

  /** The last lines seen (by default as many as an error report shows). */
  tail(limit = REPORT_LINES): string[] {
    const all = this.partial ? [...this.recent, this.partial] : [...this.recent];
    return all.slice(-limit);
  }

  /**
   * The end of what the script printed, for a failure report: up to its done marker when one was read
   * (`isMarker`), else up to where the shutdown began, else simply the last lines.
   */
  scriptTail(isMarker: (line: string) => boolean): string[] {
    const all = this.tail(Number.POSITIVE_INFINITY);
    const marker = all.findLastIndex(isMarker);
    const shutdown = all.findIndex((line) => SHUTDOWN_START.test(plain(line)));
    const end = marker >= 0 ? marker + 1 : shutdown > 0 ? shutdown : all.length;
    return all.slice(Math.max(0, end - REPORT_LINES), end);
  }
}

/** Length of the longest suffix of `a` that is a prefix of `b`: KMP, matching `b` against `a`. */
export function longestSuffixPrefix(a: string, b: string): number {
  if (a === '' || b === '') return 0;
  const fail = new Int32Array(b.length);
  for (let i = 1, k = 0; i < b.length; i++) {
    while (k > 0 && b[i] !== b[k]) k = fail[k - 1]!;
    if (b[i] === b[k]) k++;
    fail[i] = k;
  }
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    while (k > 0 && (k === b.length || a[i] !== b[k])) k = fail[k - 1]!;
    if (a[i] === b[k]) k++;
  }
  return k;
}
