import { createHash } from 'node:crypto';
import { open, readFile, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BAKE_ID_PATTERN } from '../../../shared/bake';
import type { Clock } from '../clock';
import { ensureDir, errnoCode, fsyncDir, isNotFound } from '../store/atomic';
import type { WebhookPaths } from './paths';

/** GitHub lets a delivery be redelivered for a few days; a week of markers covers it. */
export const DELIVERY_ID_RETENTION_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

export const DELIVERY_ID_PATTERN = /^[A-Za-z0-9-]{1,100}$/;

export type DeliveryClaim =
  | { claimed: true; record(bakeId: string): Promise<void>; release(): Promise<void> }
  | { claimed: false; bakeId?: string };

/**
 * Remembers X-GitHub-Delivery ids, one marker file each, created with O_EXCL: of two requests carrying the
 * same id — in one process or two — exactly one creates the marker and bakes. Markers are on disk, so a
 * restart does not forget them, and hold the bake id so a repeat can be told which bake it already got.
 */
export class DeliveryIds {
  private readonly lastPrune = new Map<string, number>();

  constructor(private readonly options: { paths: WebhookPaths; clock: Clock; retentionMs?: number }) {}

  async claim(project: string, deliveryId: string): Promise<DeliveryClaim> {
    const dir = this.options.paths.deliveryIdsDir(project);
    const file = join(dir, createHash('sha256').update(deliveryId).digest('hex').slice(0, 40));
    await ensureDir(dir);
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.close();
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
      const bakeId = (await readFile(file, 'utf8').catch(() => '')).trim();
      return { claimed: false, ...(BAKE_ID_PATTERN.test(bakeId) ? { bakeId } : {}) };
    }
    await fsyncDir(dir);
    this.pruneSometimes(project, dir);
    return {
      claimed: true,
      record: (bakeId) => writeFile(file, bakeId),
      // The bake never started (rate limit, no profile…): a redelivery may try again.
      release: () =>
        unlink(file).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e as Error))),
    };
  }

  private pruneSometimes(project: string, dir: string): void {
    const now = this.options.clock.now();
    if (now - (this.lastPrune.get(project) ?? 0) < PRUNE_EVERY_MS) return;
    this.lastPrune.set(project, now);
    void this.prune(dir, now).catch(() => undefined);
  }

  private async prune(dir: string, now: number): Promise<void> {
    const retention = this.options.retentionMs ?? DELIVERY_ID_RETENTION_MS;
    for (const name of await readdir(dir)) {
      const file = join(dir, name);
      const info = await stat(file).catch(() => undefined);
      if (info && now - info.mtimeMs > retention) await unlink(file).catch(() => undefined);
    }
  }
}
