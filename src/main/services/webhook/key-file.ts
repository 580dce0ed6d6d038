import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../../../shared/result';

const KEY_BYTES = 32;

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Reads the key, or creates it. Creation writes a temp file and hard-links it into place, which fails if the
 * name exists: two processes starting at once end up with the same key, and nobody ever reads a half-written one.
 */
export function loadOrCreateKeyFile(file: string, platform = process.platform): Buffer {
  try {
    return readKey(file, platform);
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  // The mode given to writeFileSync is filtered by the umask; 0600 is what this file must be.
  chmodSync(temp, 0o600);
  try {
    linkSync(temp, file);
  } catch (error) {
    if (errno(error) !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  return readKey(file, platform);
}

function readKey(file: string, platform: string): Buffer {
  if (platform !== 'win32') {
    const stat = statSync(file);
    if ((stat.mode & 0o077) !== 0) {
      throw new AppError(
        'ACCESS_DENIED',
        `The webhook key file ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); run chmod 600 on it.`,
      );
    }
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
      throw new AppError('ACCESS_DENIED', `The webhook key file ${file} belongs to another user.`);
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new AppError('CORRUPT_DATA', `The webhook key file ${file} does not hold a ${KEY_BYTES}-byte key.`);
  }
  return key;
}
