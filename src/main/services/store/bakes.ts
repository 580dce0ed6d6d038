import { rename, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BAKE_ID_PATTERN, BakeEventSchema, isFinalStatus } from '../../../shared/bake';
import type { BakeEvent, BakeRecord } from '../../../shared/bake';
import { reduceBakeEvents } from '../../../shared/bake-reducer';
import { AppError, describeZodError } from '../../../shared/result';
import { errnoCode, isNotFound, readTextIfExists, readdirIfExists } from './atomic';
import { createBakeDir, type CreatedEvent, type NewBakeFiles } from './bake-dir';
import { parseBakeInputs, type BakeInputs } from './bake-inputs';
import { appendConsoleLines, readConsoleLines } from './console-log';
import type { StoreContext } from './context';
import { appendJournal, readJournal, repairTornTail } from './journal';
import { KeyedQueue } from './keyed-queue';
import type { ReadJournalOptions } from './journal';
import { parseBakeId, parseProjectName } from './names';
import type { BakeClaim, BakeOwner, BakeOwners, LiveOwner } from './owner';
import { orphanView } from './orphan-view';
import { RecordCheckpoints } from './record-checkpoints';
import { RecordReader, writeRecord } from './record-reader';

export interface BakeListOptions {
  project?: string;
  /** Default 50, at most 1000. */
  limit?: number;
  /** A bake id: only older bakes (the next page). */
  before?: string;
}

export interface CreateBakeOptions {
  /** What the bake was started with; crash recovery resumes from it. */
  inputs?: BakeInputs;
  /** Runs if another process takes the bake over (this one looked dead: its heartbeat went stale). */
  onLost?: (by: BakeOwner) => void;
}

export const MAX_BAKE_LIST = 1000;

/**
 * Bake records and their journals. The journal (events.jsonl) is the truth, appended and fsync'ed before an
 * append returns; record.json is a checkpoint of its reduction, written behind the appends (see
 * RecordCheckpoints) and made durable once the bake is final. What readers see:
 * - in the process appending: `get()` is exact (the record is kept in memory);
 * - in any other process: `get()`/`list()` read record.json and apply the journal events after its seq, so
 *   they are exact for every journaled event too. Only console-only batches (not journaled) and the live API
 *   call count (journaled at the end) may lag, by the checkpoint write in flight — a few milliseconds;
 * - record.json itself, read raw, trails the journal by at most the appends made during one checkpoint
 *   write, and is complete once the bake is final.
 * Console output goes to a bounded console.log instead of the journal.
 */
export class BakeStore {
  /** Records of the bakes this process is appending to; the journal is read once, not per append. */
  private readonly live = new Map<string, BakeRecord>();
  /** Appends to one bake run one at a time, in call order. */
  private readonly appends = new KeyedQueue();
  private readonly checkpoints: RecordCheckpoints;
  private readonly records: RecordReader;

  constructor(
    private readonly ctx: StoreContext,
    private readonly owners: BakeOwners,
    private readonly consoleCapBytes: number,
  ) {
    this.checkpoints = new RecordCheckpoints((id) => ctx.paths.recordFile(id), ctx.logger);
    this.records = new RecordReader(ctx);
  }

  /**
   * Creates a bake owned by this process from the first moment it exists: its owner.json (and inputs) are in
   * the directory before it appears, and the heartbeat runs from then on, so another process's recovery
   * never sees it unowned. Release the claim when the bake no longer runs here.
   */
  async create(
    event: CreatedEvent,
    opts: CreateBakeOptions = {},
  ): Promise<{ record: BakeRecord; claim: BakeClaim }> {
    const [parsed] = this.parseEvents(event.bakeId, [event]);
    if (parsed?.type !== 'created')
      throw new AppError('INVALID_INPUT', 'A bake starts with a "created" event.');
    const owner = this.owners.newOwner();
    const files: NewBakeFiles = { owner, ...(opts.inputs ? { inputs: parseBakeInputs(opts.inputs) } : {}) };
    return this.appends.run(parsed.bakeId, async () => {
      const record = await this.materialize(parsed, files);
      const claim = this.owners.keepAlive(record.id, owner, (by) => {
        this.live.delete(record.id);
        opts.onLost?.(by);
      });
      return { record, claim: this.forgetOnRelease(claim) };
    });
  }

  /**
   * Appends events and fsyncs the journal before returning: once this resolves, the events survive any
   * crash. A bake created here (first event `created`) has no owner until claimed: live bakes use
   * `create`. Seqs must increase. Returns the record after the events.
   */
  async appendEvents(bakeId: string, events: readonly BakeEvent[]): Promise<BakeRecord> {
    const id = parseBakeId(bakeId);
    const parsed = this.parseEvents(id, events);
    return this.appends.run(id, async () => {
      let record = this.live.get(id);
      let rest = parsed;
      if (!record) {
        const [first, ...others] = parsed;
        if (first?.type === 'created') {
          record = await this.materialize(first, {});
          rest = others;
        } else record = await this.reopen(id);
      }
      return this.apply(record, rest);
    });
  }

  /** The inputs the bake was started with; undefined for bakes created without them, or unreadable ones. */
  async inputs(bakeId: string): Promise<BakeInputs | undefined> {
    const file = this.ctx.paths.inputsFile(parseBakeId(bakeId));
    const text = await readTextIfExists(file);
    if (text === undefined) return undefined;
    try {
      return parseBakeInputs(JSON.parse(text));
    } catch (error) {
      await this.ctx.quarantine.move(file, error instanceof Error ? error.message : String(error), {
        judged: text,
        outcome: 'The bake can no longer be resumed, only cleaned up after',
      });
      return undefined;
    }
  }

  /** The bake's events in order, straight from the journal (console lines are in `readConsole`). */
  readEvents(bakeId: string, opts: ReadJournalOptions = {}): AsyncGenerator<BakeEvent> {
    const id = parseBakeId(bakeId);
    const file = this.ctx.paths.journalFile(id);
    return readJournal(file, this.ctx.paths.display(file), this.ctx.logger, opts);
  }

  /** The record as the journal has it (what recovery and the engine work from); listings use `show`. */
  async get(bakeId: string): Promise<BakeRecord | undefined> {
    const id = parseBakeId(bakeId);
    return this.live.get(id) ?? this.records.load(id);
  }

  /** The record as people and programs reading bakes see it: see `present`. */
  async show(bakeId: string): Promise<BakeRecord | undefined> {
    const record = await this.get(bakeId);
    return record && this.present(record);
  }

  /**
   * A record as listings show it (`quadraxis bakes`, the app, the webhook's status): an unfinished bake no
   * live process owns — its process was killed or crashed — reads `interrupted` and says how it will be
   * recovered (see orphanView). Costs one owner.json read per unfinished bake; others are returned as they are.
   */
  async present(record: BakeRecord): Promise<BakeRecord> {
    if (isFinalStatus(record.status) || this.live.has(record.id)) return record;
    const owner = await this.owners.liveOwner(record.id);
    return owner.live ? record : orphanView(record, owner);
  }

  /**
   * Re-derives record.json from the whole journal: whenever record.json is missing or unusable. A bake
   * without a readable `created` event cannot be recovered and is quarantined whole.
   */
  rebuild(bakeId: string): Promise<BakeRecord | undefined> {
    return this.records.rebuild(parseBakeId(bakeId));
  }

  /** Resolves once record.json of every bake appended to here is written (before exit, or removing the dir). */
  flush(): Promise<void> {
    return this.checkpoints.flush();
  }

  /**
   * Newest first, by id order (ids sort by creation time); reads only the records it returns, each as
   * `present` shows it: a bake whose process is gone is listed as interrupted, never as running.
   */
  async list(opts: BakeListOptions = {}): Promise<BakeRecord[]> {
    const limit = Math.min(Math.max(1, opts.limit ?? 50), MAX_BAKE_LIST);
    const dir = opts.project
      ? this.ctx.paths.projectBakesDir(parseProjectName(opts.project))
      : this.ctx.paths.bakesDir;
    const before = opts.before === undefined ? undefined : parseBakeId(opts.before);
    const ids = (await readdirIfExists(dir))
      .filter((name) => BAKE_ID_PATTERN.test(name) && (before === undefined || name < before))
      .sort()
      .reverse();
    const out: BakeRecord[] = [];
    let next = 0;
    // Read in parallel only as many as may still be needed; missing or unreadable ones are made up next round.
    while (next < ids.length && out.length < limit) {
      const batch = ids.slice(next, next + limit - out.length);
      next += batch.length;
      for (const record of await Promise.all(batch.map((id) => this.show(id)))) if (record) out.push(record);
    }
    return out;
  }

  /** Bakes not yet in a final state, found from the active index (cost independent of history size). */
  async unfinished(): Promise<BakeRecord[]> {
    const out: BakeRecord[] = [];
    for (const id of (await readdirIfExists(this.ctx.paths.activeBakesDir)).filter((n) =>
      BAKE_ID_PATTERN.test(n),
    )) {
      const record = await this.get(id);
      if (record && isFinalStatus(record.status))
        await unlink(join(this.ctx.paths.activeBakesDir, id)).catch(() => undefined);
      else if (record) out.push(record);
    }
    return out;
  }

  /**
   * Unfinished bakes no live process owns: their process died (crash, SIGKILL). Records are brought up to
   * date from the journal, so every resource id acknowledged before the crash is in them, ready to resume
   * or clean up.
   */
  async orphans(): Promise<BakeRecord[]> {
    const out: BakeRecord[] = [];
    for (const candidate of await this.unfinished()) {
      if (this.live.has(candidate.id) || (await this.owners.liveOwner(candidate.id)).live) continue;
      out.push(candidate);
    }
    return out;
  }

  /**
   * Takes over a bake no live process owns (recovery), with a heartbeat until released. From here on this
   * process appends to it: its record is read once, now, and `get()` returns exactly what the next append
   * builds on — whatever a process that died mid-write leaves landing on disk afterwards.
   */
  async claim(bakeId: string, onLost?: (by: BakeOwner) => void): Promise<BakeClaim> {
    const id = parseBakeId(bakeId);
    const claim = await this.owners.claim(id, (by) => {
      this.live.delete(id);
      onLost?.(by);
    });
    try {
      await this.appends.run(id, async () => {
        if (!this.live.has(id)) this.live.set(id, await this.reopen(id));
      });
    } catch (error) {
      await claim.release();
      throw error;
    }
    return this.forgetOnRelease(claim);
  }

  /**
   * Whether this process runs the bake. owner.json is in the directory before the bake appears, so this is
   * true from the first moment another reader could see a bake created here.
   */
  ownedHere(bakeId: string): Promise<boolean> {
    return this.owners.isMine(parseBakeId(bakeId));
  }

  /** Ids in the active index: the bakes not yet final, found without reading a record. */
  async activeIds(): Promise<string[]> {
    return (await readdirIfExists(this.ctx.paths.activeBakesDir)).filter((n) => BAKE_ID_PATTERN.test(n));
  }

  /** Every bake id, from the directory listing alone (no record read). */
  async allIds(): Promise<string[]> {
    return (await readdirIfExists(this.ctx.paths.bakesDir)).filter((n) => BAKE_ID_PATTERN.test(n));
  }

  /**
   * When the bakes directory last changed (a bake appeared or went), or undefined before the first bake:
   * one stat tells a watcher whether listing it again can find anything new.
   */
  async idsChangedAt(): Promise<number | undefined> {
    return (await stat(this.ctx.paths.bakesDir).catch(() => undefined))?.mtimeMs;
  }

  liveOwner(bakeId: string): Promise<LiveOwner> {
    return this.owners.liveOwner(parseBakeId(bakeId));
  }

  readConsole(bakeId: string, opts: { tailLines?: number } = {}): Promise<string[]> {
    return readConsoleLines(this.ctx.paths.consoleFile(parseBakeId(bakeId)), opts.tailLines);
  }

  /** For a project rename: its bake history is listed under the new name (records keep the old one). */
  async moveProjectIndex(from: string, to: string): Promise<void> {
    const source = this.ctx.paths.projectBakesDir(from);
    const target = this.ctx.paths.projectBakesDir(to);
    try {
      await rename(source, target);
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      if (!['EEXIST', 'ENOTEMPTY'].includes(errnoCode(error) ?? '')) throw error;
    }
    for (const id of await readdirIfExists(source)) await rename(join(source, id), join(target, id));
    await rmdir(source).catch(() => undefined);
  }

  private parseEvents(id: string, events: readonly BakeEvent[]): BakeEvent[] {
    return events.map((event, i) => {
      const result = BakeEventSchema.safeParse(event);
      if (!result.success)
        throw new AppError('INVALID_INPUT', `Event ${i}: ${describeZodError(result.error)}`);
      if (result.data.bakeId !== id)
        throw new AppError('INVALID_INPUT', `Event ${i} is for bake ${result.data.bakeId}, not ${id}.`);
      return result.data;
    });
  }

  private async materialize(event: CreatedEvent, files: NewBakeFiles): Promise<BakeRecord> {
    const record = await createBakeDir(this.ctx, event, files);
    this.live.set(record.id, record);
    return record;
  }

  /** A bake this process did not create (or stopped appending to): its journal, repaired, is the start. */
  private async reopen(id: string): Promise<BakeRecord> {
    const dropped = await repairTornTail(this.ctx.paths.journalFile(id));
    if (dropped > 0)
      this.ctx.logger.warn(`Bake ${id}: dropped ${dropped} bytes of a journal line cut short by a crash.`);
    const record = await this.records.load(id);
    if (!record) throw new AppError('NOT_FOUND', `No bake ${id}.`);
    return record;
  }

  private async apply(start: BakeRecord, events: readonly BakeEvent[]): Promise<BakeRecord> {
    const { id } = start;
    let last = start.seq;
    for (const event of events) {
      if (event.type === 'created') throw new AppError('CONFLICT', `Bake ${id} already exists.`);
      if (event.seq <= last)
        throw new AppError('INVALID_INPUT', `Bake ${id}: event seq ${event.seq} does not follow ${last}.`);
      last = event.seq;
    }
    try {
      await appendJournal(
        this.ctx.paths.journalFile(id),
        events.filter((e) => e.type !== 'console'),
      );
    } catch (error) {
      // The tail may now be torn: the next append must re-read and repair the journal.
      this.live.delete(id);
      throw error;
    }
    await this.appendConsole(id, events);
    const record = reduceBakeEvents(events, start) ?? start;
    if (isFinalStatus(record.status)) {
      this.live.delete(id);
      // The final record is read for ever after: durable and complete, with no journal to catch up on.
      await this.checkpoints.settle(id);
      await writeRecord(this.ctx, record);
      await unlink(join(this.ctx.paths.activeBakesDir, id)).catch(() => undefined);
    } else {
      this.live.set(id, record);
      if (events.length > 0) this.checkpoints.schedule(record);
    }
    return record;
  }

  /** A claim whose release (or loss) also drops the bake from memory: its next reader goes to the files. */
  private forgetOnRelease(claim: BakeClaim): BakeClaim {
    return {
      bakeId: claim.bakeId,
      owner: claim.owner,
      release: () =>
        this.appends
          .run(claim.bakeId, async () => {
            // Current and durable before another process may take over and write its own.
            await this.checkpoints.settle(claim.bakeId);
            const record = this.live.get(claim.bakeId);
            this.live.delete(claim.bakeId);
            if (record) await writeRecord(this.ctx, record);
          })
          .finally(() => claim.release()),
    };
  }

  private async appendConsole(id: string, events: readonly BakeEvent[]): Promise<void> {
    const lines = events.flatMap((e) => (e.type === 'console' ? e.lines : []));
    try {
      await appendConsoleLines(this.ctx.paths.consoleFile(id), lines, this.consoleCapBytes);
    } catch (error) {
      // Console output is for people; losing some must never fail the bake whose state is journaled.
      this.ctx.logger.warn(
        `Bake ${id}: console output not saved: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
