import { appendFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeliverySchema, type Delivery } from '../../../shared/ipc/webhook.contract';
import { ensureDir, isNotFound, readTextIfExists } from '../store/atomic';
import { withLock } from '../store/lock';
import { parseJsonAs } from '../store/parse-json';
import type { StoreLogger } from '../store/quarantine';
import type { WebhookPaths } from './paths';

/** About 300 entries per file; with the previous file kept, a project's log never exceeds twice this. */
export const DELIVERY_LOG_CAP_BYTES = 64 * 1024;

/** Written once the directory uses `<project>@older.jsonl` for older files instead of `<project>.1.jsonl`. */
const NAMES_V2_MARKER = '@names-v2';

/**
 * Each project's authenticated deliveries, one JSON line each, appended (O_APPEND: lines from two
 * processes never interleave). When the file passes its cap it becomes `<project>@older.jsonl`, replacing
 * the one before, so the log is bounded without ever rewriting a line. Refused requests are not logged
 * here (they are counted), so a flood cannot push the history out. Entries hold no secret, signature or
 * payload.
 */
export class DeliveryLog {
  private migrated: Promise<void> | undefined;

  constructor(private readonly options: { paths: WebhookPaths; logger: StoreLogger; capBytes?: number }) {}

  async append(project: string, delivery: Delivery): Promise<void> {
    await this.migrateNames();
    const { paths } = this.options;
    const file = paths.deliveriesFile(project);
    // The leading newline ends a line a crash may have cut short, so this one is never glued to it.
    const line = `\n${JSON.stringify(DeliverySchema.parse(delivery))}\n`;
    await ensureDir(paths.deliveriesDir);
    await appendFile(file, line, { mode: 0o600 });
    if ((await sizeOf(file)) > this.cap) await this.rotate(project);
  }

  /** Newest first. */
  async list(project: string, limit = 50): Promise<Delivery[]> {
    await this.migrateNames();
    const { paths } = this.options;
    const older = (await readTextIfExists(paths.deliveriesOlderFile(project))) ?? '';
    const current = (await readTextIfExists(paths.deliveriesFile(project))) ?? '';
    const entries: Delivery[] = [];
    for (const line of `${older}${current}`.split('\n')) {
      // A line cut short by a crash is skipped: the rest of the log is still good.
      const entry = line ? parseJsonAs(DeliverySchema, line) : undefined;
      if (entry) entries.push(entry);
    }
    return entries.slice(-limit).reverse();
  }

  private get cap(): number {
    return this.options.capBytes ?? DELIVERY_LOG_CAP_BYTES;
  }

  private async rotate(project: string): Promise<void> {
    const { paths, logger } = this.options;
    await withLock(paths.deliveriesLock(project), `the deliveries log of ${project}`, logger, async () => {
      // Another writer may have rotated while this one waited for the lock.
      if ((await sizeOf(paths.deliveriesFile(project))) <= this.cap) return;
      await rename(paths.deliveriesFile(project), paths.deliveriesOlderFile(project));
    });
  }

  /**
   * Earlier versions named a project's older file `<project>.1.jsonl`, which is also the current file of a
   * project named `<project>.1`. Once per data directory those files are renamed to the new suffix: a
   * `.1.jsonl` file was written by rotation, so it is taken as the older file of the name before `.1`.
   */
  private migrateNames(): Promise<void> {
    this.migrated ??= this.renameLegacyFiles().catch((error: unknown) => {
      this.migrated = undefined;
      this.options.logger.warn(`could not rename old webhook delivery logs: ${String(error)}`);
    });
    return this.migrated;
  }

  private async renameLegacyFiles(): Promise<void> {
    const { paths } = this.options;
    const dir = paths.deliveriesDir;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // A new directory starts with the new names: a later `<name>.1.jsonl` is a project's current log.
      await ensureDir(dir);
      names = [];
    }
    if (names.includes(NAMES_V2_MARKER)) return;
    for (const name of names) {
      const legacy = /^(.+)\.1\.jsonl$/.exec(name)?.[1];
      if (!legacy) continue;
      await rename(join(dir, name), paths.deliveriesOlderFile(legacy)).catch((error: unknown) => {
        // Another process renamed it first.
        if (!isNotFound(error)) throw error;
      });
    }
    await writeFile(join(dir, NAMES_V2_MARKER), '', { mode: 0o600 });
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
}
