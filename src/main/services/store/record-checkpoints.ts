import type { BakeRecord } from '../../../shared/bake';
import { isNotFound, replaceFile } from './atomic';
import type { StoreLogger } from './quarantine';

/**
 * Writes record.json behind the appends instead of inside them. record.json is a checkpoint of the
 * journal's reduction, so it need not be current, only never torn: each bake has at most one write in
 * flight, and whatever is appended meanwhile is coalesced into the next one. Nothing is fsync'ed here;
 * readers bring a checkpoint up to date from the journal by seq, and a lost one is rebuilt from it.
 */
export class RecordCheckpoints {
  /** The newest record not yet being written, per bake. */
  private readonly next = new Map<string, BakeRecord>();
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    private readonly fileOf: (bakeId: string) => string,
    private readonly logger: StoreLogger,
  ) {}

  /** Writes `record` soon, without waiting; a newer record scheduled before that write starts replaces it. */
  schedule(record: BakeRecord): void {
    this.next.set(record.id, record);
    if (!this.writing.has(record.id)) this.start(record.id);
  }

  /** Drops what is scheduled and waits for the write in flight: the caller writes the record itself next. */
  async settle(bakeId: string): Promise<void> {
    this.next.delete(bakeId);
    await this.writing.get(bakeId);
  }

  /** Resolves once every scheduled checkpoint is on disk (before a process exits or its data dir goes). */
  async flush(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing.values());
  }

  private start(bakeId: string): void {
    const written = (async () => {
      for (let record = this.next.get(bakeId); record; record = this.next.get(bakeId)) {
        this.next.delete(bakeId);
        await replaceFile(this.fileOf(bakeId), `${JSON.stringify(record, null, 2)}\n`).catch(
          (error: unknown) => {
            // The bake directory went away (quarantined, a test's temp dir removed): nothing to keep current.
            if (isNotFound(error)) return;
            this.logger.warn(
              `Bake ${bakeId}: record.json not updated (the journal still has everything): ${error instanceof Error ? error.message : String(error)}`,
            );
          },
        );
      }
    })().finally(() => {
      this.writing.delete(bakeId);
      if (this.next.has(bakeId)) this.start(bakeId);
    });
    this.writing.set(bakeId, written);
  }
}
