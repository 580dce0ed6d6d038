import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { BakeEventSchema } from '../../../shared/bake';
import type { BakeEvent } from '../../../shared/bake';
import { PRIVATE_FILE_MODE, isNotFound } from './atomic';
import { parseJsonAs } from './parse-json';
import type { StoreLogger } from './quarantine';

/**
 * The bake journal: one JSON event per line, appended and fsync'ed before the engine takes its next step,
 * so every resource a bake created is on disk before anything else can happen to it. A line counts only
 * once its newline is written; anything after the last newline is a write cut short by a crash.
 */

export async function appendJournal(file: string, events: readonly BakeEvent[]): Promise<void> {
  if (events.length === 0) return;
  const data = Buffer.from(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const handle = await open(file, 'a', PRIVATE_FILE_MODE);
  try {
    // One write call: with O_APPEND a concurrent reader sees whole lines or a tail it will ignore.
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await handle.write(data, written, data.length - written);
      written += bytesWritten;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Cuts a torn last line off before appending, so a new event is never glued onto the fragment of one that
 * was never acknowledged. Returns how many bytes were dropped.
 */
export async function repairTornTail(file: string): Promise<number> {
  let handle;
  try {
    handle = await open(file, 'r+');
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (at >= 0) {
        end = start + at + 1;
        break;
      }
      end = start;
    }
    if (end === size) return 0;
    await handle.truncate(end);
    await handle.sync();
    return size - end;
  } finally {
    await handle.close();
  }
}

export interface ReadJournalOptions {
  /** Only events with a higher seq. */
  afterSeq?: number;
}

/** Streams events back in file order; unreadable lines are skipped with a warning, never fatal. */
export async function* readJournal(
  file: string,
  display: string,
  logger: StoreLogger,
  opts: ReadJournalOptions = {},
): AsyncGenerator<BakeEvent> {
  const afterSeq = opts.afterSeq ?? -1;
  let pending = '';
  let lineNo = 0;
  const parse = (line: string): BakeEvent | undefined => {
    lineNo++;
    if (line.trim() === '') return undefined;
    const event = parseJsonAs(BakeEventSchema, line);
    if (event) return event;
    logger.warn(`${display} line ${lineNo} is unreadable and was skipped.`);
    return undefined;
  };
  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 })) {
      const lines = (pending + String(chunk)).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const event = parse(line);
        if (event && event.seq > afterSeq) yield event;
      }
    }
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  if (pending !== '') {
    logger.warn(
      `${display} ends with an incomplete line (a write cut short, or one in progress); it was ignored.`,
    );
  }
}

/**
 * The events after `afterSeq`, found by reading the journal from its end: how a reader brings a record.json
 * checkpoint up to date. A line still being written (or torn by a crash) at the very end is not an event
 * yet and is passed over silently; its writer completes or repairs it.
 */
export async function readJournalAfter(
  file: string,
  afterSeq: number,
  display: string,
  logger: StoreLogger,
): Promise<BakeEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  const lines = text.split('\n');
  lines.pop();
  const later: BakeEvent[] = [];
  // Lines are in seq order, so the walk back stops at the first event the checkpoint already has.
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const event = BakeEventSchema.safeParse(parsed);
    if (!event.success) {
      logger.warn(`${display} line ${i + 1} is unreadable and was skipped.`);
      continue;
    }
    if (event.data.seq <= afterSeq) break;
    later.push(event.data);
  }
  return later.reverse();
}
