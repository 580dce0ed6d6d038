import { closeSync, fchmodSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LogFileOptions {
  /** The live file's size cap; past it the file is rotated. Default 5 MiB. */
  maxBytes?: number;
  /** Rotated files kept (main.log.1 newest … main.log.<keep> oldest). Default 3. */
  keep?: number;
}

export interface LogFile {
  write(line: string): void;
  close(): void;
}

export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_KEEP = 3;

/**
 * An append-only log file that never grows past a cap: when the next line would cross `maxBytes`, the file
 * becomes `<file>.1` (the older ones move up one, the oldest is dropped) and a new one starts — at most
 * (keep + 1) × maxBytes on disk. Lines are written synchronously, so the lines before a crash are on disk;
 * the main process logs a few lines a minute, far too few for that to cost anything. The file is the
 * user's alone (0600), an older one included. Hand-written rather than a rotating-stream library: those
 * buffer asynchronously (the last lines before a crash are lost) and this is all the rotation needed.
 */
export function openLogFile(file: string, options: LogFileOptions = {}): LogFile {
  const maxBytes = options.maxBytes ?? LOG_MAX_BYTES;
  const keep = Math.max(1, options.keep ?? LOG_KEEP);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });

  const open = () => {
    const fd = openSync(file, 'a', 0o600);
    fchmodSync(fd, 0o600);
    return fd;
  };
  let fd = open();
  let size = fstatSync(fd).size;

  const rotate = () => {
    closeSync(fd);
    for (let n = keep - 1; n >= 1; n--) renameIfThere(`${file}.${n}`, `${file}.${n + 1}`);
    renameIfThere(file, `${file}.1`);
    fd = open();
    size = 0;
  };
  // A file left over-size by an older version (which never rotated) is rotated before anything is added.
  if (size >= maxBytes) rotate();

  return {
    write(line: string) {
      const data = Buffer.from(`${line}\n`);
      try {
        if (size > 0 && size + data.length > maxBytes) rotate();
        writeSync(fd, data);
        size += data.length;
      } catch {
        // A full disk must not take the app down with its log; the line is lost, the app goes on.
      }
    },
    close() {
      closeSync(fd);
    },
  };
}

function renameIfThere(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
}
