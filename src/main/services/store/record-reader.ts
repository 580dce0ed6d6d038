import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BakeRecordSchema, isFinalStatus } from '../../../shared/bake';
import type { BakeEvent, BakeRecord } from '../../../shared/bake';
import { applyBakeEvent } from '../../../shared/bake-reducer';
import { describeZodError } from '../../../shared/result';
import { readTextIfExists, readdirIfExists, writeAtomic } from './atomic';
import type { StoreContext } from './context';
import { readJournal, readJournalAfter } from './journal';

/** record.json, durable: for final records, and records rebuilt from a journal. */
export async function writeRecord(ctx: StoreContext, record: BakeRecord): Promise<void> {
  // A listing's view of a dead bake is never the truth on disk, whoever hands one back.
  const { orphaned: _view, ...stored } = record;
  await writeAtomic(ctx.paths.recordFile(record.id), `${JSON.stringify(stored, null, 2)}\n`);
}

/**
 * Reads a bake's record as the journal has it: record.json (a checkpoint) plus whatever the journal holds
 * after its seq, or — record.json missing or unusable — the whole journal reduced again.
 */
export class RecordReader {
  constructor(private readonly ctx: StoreContext) {}

  async load(id: string): Promise<BakeRecord | undefined> {
    const file = this.ctx.paths.recordFile(id);
    const text = await readTextIfExists(file);
    // Empty: a power cut after the rename but before the data reached the disk. Derivable, so no notice.
    if (text === undefined || text === '') {
      return (await stat(this.ctx.paths.bakeDir(id)).catch(() => undefined)) ? this.rebuild(id) : undefined;
    }
    let reason: string;
    try {
      const parsed = BakeRecordSchema.safeParse(JSON.parse(text));
      if (parsed.success && parsed.data.id === id) return this.catchUp(parsed.data);
      reason = parsed.success ? `it describes bake ${parsed.data.id}` : describeZodError(parsed.error);
    } catch (error) {
      reason = `not JSON (${error instanceof Error ? error.message : String(error)})`;
    }
    await this.ctx.quarantine.move(file, reason, {
      judged: text,
      outcome: 'The record was rebuilt from the bake journal',
    });
    return this.rebuild(id);
  }

  async rebuild(id: string): Promise<BakeRecord | undefined> {
    const record = await this.reduceJournal(id);
    if (record) {
      await writeRecord(this.ctx, record);
      return record;
    }
    const moved = await this.ctx.quarantine.move(
      this.ctx.paths.bakeDir(id),
      'its journal has no readable "created" event',
    );
    if (moved) await this.forgetIndexes(id);
    return undefined;
  }

  /** Applies the journal events a checkpoint does not have yet (none once the bake is final). */
  private async catchUp(record: BakeRecord): Promise<BakeRecord> {
    if (isFinalStatus(record.status)) return record;
    const file = this.ctx.paths.journalFile(record.id);
    const later = await readJournalAfter(file, record.seq, this.ctx.paths.display(file), this.ctx.logger);
    return later.reduce((current, event) => this.applySafely(current, event), record);
  }

  private async reduceJournal(id: string): Promise<BakeRecord | undefined> {
    const file = this.ctx.paths.journalFile(id);
    let record: BakeRecord | undefined;
    for await (const event of readJournal(file, this.ctx.paths.display(file), this.ctx.logger)) {
      if (record) record = this.applySafely(record, event);
      else if (event.type === 'created') record = applyBakeEvent(undefined, event);
    }
    return record;
  }

  private applySafely(record: BakeRecord, event: BakeEvent): BakeRecord {
    try {
      return applyBakeEvent(record, event);
    } catch (error) {
      this.ctx.logger.warn(
        `Bake ${record.id}: skipped event ${event.seq}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return record;
    }
  }

  private async forgetIndexes(id: string): Promise<void> {
    await unlink(join(this.ctx.paths.activeBakesDir, id)).catch(() => undefined);
    // The record is unreadable, so which project indexed it is unknown: look in each (a rare path).
    for (const project of await readdirIfExists(this.ctx.paths.projectBakesRoot)) {
      await unlink(join(this.ctx.paths.projectBakesDir(project), id)).catch(() => undefined);
    }
  }
}
