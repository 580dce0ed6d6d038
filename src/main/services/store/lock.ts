import { dirname } from 'node:path';
import { lock } from 'proper-lockfile';
import { AppError } from '../../../shared/result';
import { ensureDir, errnoCode } from './atomic';
import { KeyedQueue } from './keyed-queue';
import type { StoreLogger } from './quarantine';

/** Waiters in this process queue here, so only one of them at a time contends for the lock on disk. */
const waiters = new KeyedQueue();

/**
 * Runs `fn` holding a cross-process lock (a directory created with mkdir, which is atomic on every local
 * filesystem and NFS). Critical sections are a few file operations, so waiters retry quickly with jitter;
 * a holder that died leaves a lock that goes stale after `staleMs` and is then broken.
 */
export function withLock<T>(
  lockPath: string,
  what: string,
  logger: StoreLogger,
  fn: () => Promise<T>,
): Promise<T> {
  return waiters.run(lockPath, () => withFileLock(lockPath, what, logger, fn));
}

async function withFileLock<T>(
  lockPath: string,
  what: string,
  logger: StoreLogger,
  fn: () => Promise<T>,
): Promise<T> {
  await ensureDir(dirname(lockPath));
  let release: () => Promise<void>;
  try {
    release = await lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale: 10_000,
      retries: { retries: 80, factor: 1.3, minTimeout: 5, maxTimeout: 150, randomize: true },
      onCompromised: (error) => logger.warn(`The lock on ${what} was lost while held: ${error.message}`),
    });
  } catch (error) {
    if (errnoCode(error) === 'ELOCKED') {
      throw new AppError(
        'UNAVAILABLE',
        `${what} is locked by another Quadraxis process; try again in a moment.`,
      );
    }
    throw error;
  }
  try {
    return await fn();
  } finally {
    await release().catch((error: unknown) =>
      logger.warn(
        `Releasing the lock on ${what} failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }
}
