import type { BakeEvent } from '../../../shared/bake';

interface Followed {
  /** Console events as they came, newest last; trimmed from the front past the cap. */
  chunks: { seq: number; lines: readonly string[] }[];
  kept: number;
  /** Lines trimmed from the front (still in the saved log). */
  trimmed: number;
}

/**
 * The console of each bake this process is running, by event seq. The saved log (console.log) is written
 * before an event is broadcast but read at some later moment, so a record and a file read never quite line
 * up; these chunks do: `upTo(id, record.seq)` is the console exactly as of that record, and live events
 * with a higher seq continue it with no line lost or repeated. Dropped when the bake finishes — from then
 * on the saved log is complete and nothing races it.
 */
export class LiveConsole {
  private readonly bakes = new Map<string, Followed>();

  constructor(private readonly keepLines: number) {}

  observe(event: BakeEvent): void {
    if (event.type === 'created') {
      this.bakes.set(event.bakeId, { chunks: [], kept: 0, trimmed: 0 });
      return;
    }
    if (event.type === 'finished') {
      this.bakes.delete(event.bakeId);
      return;
    }
    if (event.type !== 'console') return;
    const followed = this.bakes.get(event.bakeId);
    if (!followed) return;
    followed.chunks.push({ seq: event.seq, lines: event.lines });
    followed.kept += event.lines.length;
    // Trim whole chunks, keeping at least `keepLines`: the tail a resync needs, never a growing log.
    while (followed.chunks.length > 1 && followed.kept - followed.chunks[0]!.lines.length >= this.keepLines) {
      const dropped = followed.chunks.shift()!;
      followed.kept -= dropped.lines.length;
      followed.trimmed += dropped.lines.length;
    }
  }

  /** The last lines up to `seq` and the count of all lines up to it; undefined if not followed from its start. */
  upTo(bakeId: string, seq: number): { tail: string[]; total: number } | undefined {
    const followed = this.bakes.get(bakeId);
    if (!followed) return undefined;
    const lines: string[] = [];
    for (const chunk of followed.chunks) {
      if (chunk.seq > seq) break;
      for (const line of chunk.lines) lines.push(line);
    }
    const tail = lines.length > this.keepLines ? lines.slice(-this.keepLines) : lines;
    return { tail, total: followed.trimmed + lines.length };
  }
}
