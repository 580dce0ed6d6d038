import { appendFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DeliverySchema, type Delivery } from '../../../shared/ipc/webhook.contract';
import { ensureDir, isNotFound, readTextIfExists } from '../store/atomic';
import { withLock } from '../store/lock';
import { parseJsonAs } from '../store/parse-json';
import type { StoreLogger } from '../store/quarantine';
import type { WebhookPaths } from './paths';

/** About 300 entries per file; with the previous file kept, a project's log never exceeds twice this. */
export const DELIVERY_LOG_CAP_BYTES = 64 * 1024;

/**
 * Each project's deliveries, one JSON line each, appended (O_APPEND: lines from two processes never
 * interleave). When the file passes its cap it becomes `<project>.1.jsonl`, replacing the one before, so
 * the log is bounded without ever rewriting a line. Entries hold no secret, signature or payload.
 */
export class DeliveryLog {
  constructor(private readonly options: { paths: WebhookPaths; logger: StoreLogger; capBytes?: number }) {}

  async append(project: string, delivery: Delivery): Promise<void> {
    const { paths } = this.options;
    const file = paths.deliveriesFile(project);
    // The leading newline ends a line a crash may have cut short, so this one is never glued to it.
    const line = `\n${JSON.stringify(DeliverySchema.parse(delivery))}\n`;
    await ensureDir(dirname(file));
    await appendFile(file, line, { mode: 0o600 });
    if ((await sizeOf(file)) > this.cap) await this.rotate(project);
  }

  /** Newest first. */
  async list(project: string, limit = 50): Promise<Delivery[]> {
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
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
}
