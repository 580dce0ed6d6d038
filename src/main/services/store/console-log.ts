import { appendFile, open, stat } from 'node:fs/promises';
import { PRIVATE_FILE_MODE, readTextIfExists, writeAtomic } from './atomic';

export const CONSOLE_CAP_BYTES = 2 * 1024 * 1024;
export const CONSOLE_TRUNCATED_MARKER =
  '[quadraxis] … earlier console output was dropped to keep this log small …';

/**
 * The builder's console output, kept apart from the journal because it is large and not needed to recover
 * a bake. Bounded: past the cap only the newest half is kept (cut at a line start), so the rewrite happens
 * once per cap/2 bytes of output, not on every append. Not fsync'ed: losing the last lines to a power cut
 * is fine, the journal holds everything recovery needs.
 */
export async function appendConsoleLines(
  file: string,
  lines: readonly string[],
  capBytes: number,
): Promise<void> {
  if (lines.length === 0) return;
  await appendFile(file, `${lines.join('\n')}\n`, { mode: PRIVATE_FILE_MODE });
  const { size } = await stat(file);
  if (size <= capBytes) return;
  const keep = Math.floor(capBytes / 2);
  const handle = await open(file, 'r');
  let tail: Buffer;
  try {
    tail = Buffer.alloc(keep);
    const { bytesRead } = await handle.read(tail, 0, keep, size - keep);
    tail = tail.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const lineStart = tail.indexOf(0x0a);
  const kept = lineStart >= 0 && lineStart < tail.length - 1 ? tail.subarray(lineStart + 1) : tail;
  await writeAtomic(file, `${CONSOLE_TRUNCATED_MARKER}\n${kept.toString('utf8')}`);
}

/** The last `maxLines` lines (all when omitted). */
export async function readConsoleLines(file: string, maxLines?: number): Promise<string[]> {
  const text = await readTextIfExists(file);
  if (!text) return [];
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return maxLines === undefined ? lines : lines.slice(-maxLines);
}
