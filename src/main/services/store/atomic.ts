import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { KeyedQueue } from './keyed-queue';

/**
 * Everything under the data directory is the user's alone — init scripts, environment values, consoles,
 * records — so files are written 0600 and directories made 0700, whatever the umask would allow.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

export function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return errnoCode(error) === 'ENOENT';
}

/**
 * Makes a rename or a new file in `dir` survive a power cut: the file's own fsync does not cover the
 * directory entry. Windows cannot open directories; NTFS journals the rename itself.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES'].includes(errnoCode(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

const writes = new KeyedQueue();

/**
 * Temp file + fsync + rename + directory fsync: a reader sees the old file or the new one, never half.
 * Writes to one file from this process land in call order, so the last save always wins.
 */
export function writeAtomic(file: string, data: string): Promise<void> {
  return writes.run(file, async () => {
    await ensureDir(dirname(file));
    // An explicit mode is applied with chmod, so an older 0644 file is replaced by a 0600 one.
    await writeFileAtomic(file, data, { fsync: true, mode: PRIVATE_FILE_MODE });
    await fsyncDir(dirname(file));
  });
}

/**
 * Temp file + rename without any fsync: readers never see half a file, but after a power cut the old
 * content (or none) may come back. Only for files that can be derived again (a bake's record.json).
 * Never creates directories, so it cannot bring back a directory someone removed meanwhile.
 */
export async function replaceFile(file: string, data: string): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data, { mode: PRIVATE_FILE_MODE });
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function readdirIfExists(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** Creates an empty marker file and makes its directory entry durable. */
export async function touchDurable(file: string): Promise<void> {
  await ensureDir(dirname(file));
  const handle = await open(file, 'a', PRIVATE_FILE_MODE);
  await handle.close();
  await fsyncDir(dirname(file));
}
