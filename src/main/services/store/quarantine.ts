import { randomBytes } from 'node:crypto';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock';
import { PRIVATE_FILE_MODE, ensureDir, isNotFound } from './atomic';
import type { StorePaths } from './paths';

export interface StoreLogger {
  warn(message: string): void;
}

/** Something the app should show once: a file it could not use, and what became of it. */
export interface StoreNotice {
  at: number;
  /** Relative to the data directory, e.g. `projects/web.yaml`. */
  file: string;
  /** Where the file went, when it was moved, e.g. `quarantine/20260101-120000-000-projects__web.yaml`. */
  movedTo?: string;
  reason: string;
  /** One readable line for the UI or the CLI. */
  message: string;
}

export class Notices {
  private items: StoreNotice[] = [];
  private readonly listeners = new Set<(notice: StoreNotice) => void>();

  /** Returns false when the same notice is already listed. */
  add(notice: StoreNotice): boolean {
    // Listing again must not repeat a notice about a file that is still skipped.
    if (
      this.items.some(
        (n) => n.file === notice.file && n.reason === notice.reason && !n.movedTo && !notice.movedTo,
      )
    ) {
      return false;
    }
    this.items.push(notice);
    for (const listener of this.listeners) listener(notice);
    return true;
  }

  list(): readonly StoreNotice[] {
    return [...this.items];
  }

  /** The UI dismissed them. */
  clear(): void {
    this.items = [];
  }

  onNotice(listener: (notice: StoreNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export class Quarantine {
  constructor(
    private readonly paths: StorePaths,
    private readonly clock: Clock,
    private readonly notices: Notices,
    private readonly logger: StoreLogger,
  ) {}

  /**
   * Moves an unusable file (or a bake directory) out of the way so the app keeps working, keeps it for a
   * person to inspect, and records a notice. `judged` is the content found unusable: if another process
   * replaced the file with a good one in the meantime, that good file is put back instead of quarantined.
   * Returns undefined when there was nothing to move (another process got there first).
   */
  async move(
    path: string,
    reason: string,
    opts: { judged?: string; outcome?: string } = {},
  ): Promise<StoreNotice | undefined> {
    await ensureDir(this.paths.quarantineDir);
    const target = join(
      this.paths.quarantineDir,
      `${stamp(this.clock.now())}-${flatName(this.paths.display(path))}`,
    );
    try {
      await rename(path, target);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    if (
      opts.judged !== undefined &&
      (await readFile(target, 'utf8').catch(() => opts.judged)) !== opts.judged
    ) {
      try {
        await link(target, path);
        await unlink(target);
      } catch {
        // A newer file already took the name: what we moved is an older copy, harmless to keep.
      }
      return undefined;
    }
    const file = this.paths.display(path);
    const movedTo = this.paths.display(target);
    const message = `${file} was unreadable and was moved to ${movedTo}: ${reason}${opts.outcome ? `. ${opts.outcome}` : ''}`;
    await writeFile(`${target}.reason.txt`, `${message}\n`, { mode: PRIVATE_FILE_MODE }).catch(
      () => undefined,
    );
    const notice: StoreNotice = { at: this.clock.now(), file, movedTo, reason, message };
    this.logger.warn(message);
    this.notices.add(notice);
    return notice;
  }

  /** A file that is skipped but must not be moved (e.g. written by a newer Quadraxis sharing the directory). */
  report(path: string, reason: string): StoreNotice {
    const file = this.paths.display(path);
    const notice: StoreNotice = {
      at: this.clock.now(),
      file,
      reason,
      message: `${file} was skipped: ${reason}`,
    };
    if (this.notices.add(notice)) this.logger.warn(notice.message);
    return notice;
  }
}

function stamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-01T12:00:00.000Z
  const compact = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${iso.slice(20, 23)}`;
  // Two files quarantined in the same millisecond must not collide.
  return `${compact}-${randomBytes(2).toString('hex')}`;
}

function flatName(display: string): string {
  return display.replaceAll('/', '__');
}
