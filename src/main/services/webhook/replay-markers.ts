import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BakeIdSchema } from '../../../shared/bake';
import type { Clock } from '../clock';
import { readTextIfExists, writeAtomic } from '../store/atomic';
import { parseJsonAs } from '../store/parse-json';
import type { WebhookPaths } from './paths';

/** GitHub lets a delivery be redelivered for three days; a week of markers covers that with room. */
export const REPLAY_WINDOW_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

const MarkerSchema = z.object({ bakeId: BakeIdSchema, at: z.number() });

/**
 * One small file per request fingerprint (see fingerprint.ts) holding the bake it got, kept for the replay
 * window. On disk, so a restart or a second listener on the same data directory knows them too. Callers
 * hold the project's queue lock, so finding and remembering never race.
 */
export class ReplayMarkers {
  private readonly lastPrune = new Map<string, number>();

  constructor(private readonly options: { paths: WebhookPaths; clock: Clock; windowMs?: number }) {}

  private get windowMs(): number {
    return this.options.windowMs ?? REPLAY_WINDOW_MS;
  }

  /** The bake an earlier request with this fingerprint got, within the window. */
  async find(project: string, fingerprint: string): Promise<string | undefined> {
    const text = await readTextIfExists(this.file(project, fingerprint));
    const marker = text ? parseJsonAs(MarkerSchema, text) : undefined;
    if (!marker || this.options.clock.now() - marker.at > this.windowMs) return undefined;
    return marker.bakeId;
  }

  async remember(project: string, fingerprint: string, bakeId: string): Promise<void> {
    const at = this.options.clock.now();
    await writeAtomic(this.file(project, fingerprint), `${JSON.stringify({ bakeId, at })}\n`);
    this.pruneSometimes(project, at);
  }

  private file(project: string, fingerprint: string): string {
    return join(this.options.paths.replaysDir(project), fingerprint);
  }

  private pruneSometimes(project: string, now: number): void {
    if (now - (this.lastPrune.get(project) ?? 0) < PRUNE_EVERY_MS) return;
    this.lastPrune.set(project, now);
    void this.prune(this.options.paths.replaysDir(project), now).catch(() => undefined);
  }

  /** By the time each marker records (the service clock's), not the file's mtime. */
  private async prune(dir: string, now: number): Promise<void> {
    for (const name of await readdir(dir)) {
      // Only markers: a temp file of a write in progress is left alone.
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      const file = join(dir, name);
      const text = await readTextIfExists(file).catch(() => undefined);
      const marker = text ? parseJsonAs(MarkerSchema, text) : undefined;
      if (!marker || now - marker.at > this.windowMs) await unlink(file).catch(() => undefined);
    }
  }
}
