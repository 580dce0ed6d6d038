import { z } from 'zod';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { readTextIfExists, writeAtomic } from '../store/atomic';
import { withLock } from '../store/lock';
import { parseJsonAs } from '../store/parse-json';
import type { StoreLogger } from '../store/quarantine';
import type { WebhookPaths } from './paths';

export const RefusalsSchema = z.object({
  count: z.number().int().min(0),
  firstAt: z.number(),
  lastAt: z.number(),
  /** By HTTP status: 401, 413, 429, 503. */
  byStatus: z.record(z.string(), z.number().int().min(0)),
});
export type Refusals = z.infer<typeof RefusalsSchema>;

/** What was counted for a project, by any listener on this data directory. */
export async function readRefusals(paths: WebhookPaths, project: string): Promise<Refusals | undefined> {
  const text = await readTextIfExists(paths.refusalsFile(project));
  return text ? parseJsonAs(RefusalsSchema, text) : undefined;
}

const FLUSH_MS = 5_000;
const SUMMARY_MS = 60_000;
const TOP_ADDRESSES = 3;

interface Pending {
  count: number;
  firstAt: number;
  lastAt: number;
  byStatus: Map<number, number>;
}

/**
 * Requests refused before authentication are counted, never logged one by one: a flood must not push the
 * deliveries log's history out or fill the main log. Counts for a project that has webhook settings go to
 * `webhook/refusals/<project>.json` every few seconds (added to what is there, under a lock, so the app
 * and `quadraxis serve` both count); a line a minute in the main log sums up all refusals, with the
 * busiest addresses.
 */
export class RefusalCounter {
  private readonly pending = new Map<string, Pending>();
  private summary = { count: 0, byStatus: new Map<number, number>(), byAddress: new Map<string, number>() };
  private readonly timers: NodeJS.Timeout[];
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      paths: WebhookPaths;
      clock: Clock;
      logger: Logger;
      storeLogger: StoreLogger;
    },
  ) {
    this.timers = [
      setInterval(() => void this.flush(), FLUSH_MS).unref(),
      setInterval(() => this.summarize(), SUMMARY_MS).unref(),
    ];
  }

  count(project: string | undefined, status: number, address: string): void {
    const { summary } = this;
    summary.count++;
    summary.byStatus.set(status, (summary.byStatus.get(status) ?? 0) + 1);
    if (summary.byAddress.size < 10_000 || summary.byAddress.has(address))
      summary.byAddress.set(address, (summary.byAddress.get(address) ?? 0) + 1);
    if (!project) return;
    const now = this.options.clock.now();
    const entry = this.pending.get(project) ?? { count: 0, firstAt: now, lastAt: now, byStatus: new Map() };
    entry.count++;
    entry.lastAt = now;
    entry.byStatus.set(status, (entry.byStatus.get(status) ?? 0) + 1);
    this.pending.set(project, entry);
  }

  /** Writes what was counted since the last flush; flushes run one at a time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.summarize();
    await this.flush();
  }

  private async writePending(): Promise<void> {
    const batch = [...this.pending.entries()];
    this.pending.clear();
    const { paths, storeLogger } = this.options;
    for (const [project, add] of batch) {
      await withLock(
        paths.refusalsLock(project),
        `the refusal counts of ${project}`,
        storeLogger,
        async () => {
          const text = await readTextIfExists(paths.refusalsFile(project));
          const before = text ? parseJsonAs(RefusalsSchema, text) : undefined;
          const byStatus = { ...before?.byStatus };
          for (const [status, n] of add.byStatus) byStatus[status] = (byStatus[status] ?? 0) + n;
          const next: Refusals = {
            count: (before?.count ?? 0) + add.count,
            firstAt: before?.firstAt ?? add.firstAt,
            lastAt: Math.max(before?.lastAt ?? 0, add.lastAt),
            byStatus,
          };
          await writeAtomic(paths.refusalsFile(project), `${JSON.stringify(next)}\n`);
        },
      ).catch((error: unknown) =>
        this.options.logger.warn('could not save webhook refusal counts', { project, error: String(error) }),
      );
    }
  }

  private summarize(): void {
    const { summary } = this;
    if (summary.count === 0) return;
    const busiest = [...summary.byAddress.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_ADDRESSES)
      .map(([address, n]) => `${address} (${n})`);
    this.options.logger.warn('webhook requests refused before authentication', {
      count: summary.count,
      byStatus: Object.fromEntries(summary.byStatus),
      addresses: summary.byAddress.size,
      busiest: busiest.join(', '),
    });
    this.summary = { count: 0, byStatus: new Map(), byAddress: new Map() };
  }
}
