import { isFinalStatus } from '../../shared/bake';
import type { AppContext } from './app-context';
import { recoverInterruptedBakes } from './startup';

/** Often enough that a CLI bake's steps move on the page about as they happen; each look costs a few small reads. */
export const FOREIGN_BAKE_POLL_MS = 2_000;
/** Filesystems with coarse mtimes (1–2 s) can hide a second change made in the same tick as the one seen. */
const COARSE_MTIME_MS = 3_000;

interface Seen {
  seq: number;
  final: boolean;
  /** Unfinished with its process gone: sent as interrupted (a view), which changes without a new seq. */
  orphan: boolean;
}

/**
 * Makes bakes run by other processes on the same data directory (`quadraxis bake`, `quadraxis serve`) live
 * in the app. This process's engine events reach renderers directly; another process's reach only its disk,
 * so this looks every `intervalMs` at the bakes that can change — the active index, the bakes it saw
 * unfinished last time (they may just have finished), and any new directory under bakes/ — and sends
 * `bake:changed` with the record when its seq moved. Per look: one directory listing of the active index,
 * one stat of bakes/ (listed again only when it changed), and record.json, the small journal and owner.json
 * of each unfinished foreign bake — a bake whose process is gone is recovered here at once, not at the next
 * start. Nothing is read while no window is attached.
 *
 * Records rather than replayed journal events: console batches take seqs but are not journaled, so a
 * replay would have gaps the renderer must treat as lost events. `watchForeignBakes` looks on a timer.
 */
export class ForeignBakes {
  /** Bakes this process's engine has spoken of: their events already went out. */
  private readonly ours = new Set<string>();
  private readonly seen = new Map<string, Seen>();
  private known: Set<string> | undefined;
  private listedAt: number | undefined;
  private readonly unsubscribe: () => void;
  /** A recovery started because a bake's process died while this app watched; one at a time. */
  private recovering: Promise<unknown> | undefined;
  private orphanSeen = false;
  private readonly unreadable = new Set<string>();

  constructor(private readonly ctx: AppContext) {
    this.unsubscribe = ctx.runtime.engine.subscribe((event) => this.ours.add(event.bakeId));
  }

  /** One look: sends `bake:changed` for each foreign bake whose seq moved since the last. */
  async look(): Promise<void> {
    if (!this.ctx.hub.hasTargets()) return;
    const active = new Set(await this.ctx.runtime.store.bakes.activeIds());
    const candidates = new Set([...active, ...(await this.newIds())]);
    for (const [id, { final }] of this.seen) {
      if (!final) candidates.add(id);
      // Settled and out of the index: it cannot change again.
      else if (!active.has(id)) this.seen.delete(id);
    }
    this.orphanSeen = false;
    for (const id of candidates) {
      await this.lookAt(id).catch((error: unknown) => {
        // Once per bake: it is looked at again every tick, and the log is not the place to count ticks.
        if (this.unreadable.has(id)) return;
        this.unreadable.add(id);
        this.ctx.logger.warn('could not read a bake run elsewhere', { bakeId: id, error: String(error) });
      });
    }
    // A CLI killed mid-bake would otherwise leave its builder running, and the bake "running" here, until
    // this app's next start: recover it now, as a start would (a live owner's bakes are left alone).
    if (this.orphanSeen && !this.recovering) {
      this.recovering = recoverInterruptedBakes(this.ctx).finally(() => (this.recovering = undefined));
    }
  }

  /** The recovery a look started, if one is running (tests await it). */
  get recovery(): Promise<unknown> | undefined {
    return this.recovering;
  }

  close(): void {
    this.unsubscribe();
  }

  /** Bakes that appeared under bakes/ since the last listing; the first listing only sets the baseline. */
  private async newIds(): Promise<string[]> {
    const { bakes } = this.ctx.runtime.store;
    const changedAt = await bakes.idsChangedAt();
    if (changedAt === undefined) {
      this.known ??= new Set();
      return [];
    }
    const recent = Date.now() - changedAt < COARSE_MTIME_MS;
    if (this.known && changedAt === this.listedAt && !recent) return [];
    this.listedAt = changedAt;
    const ids = await bakes.allIds();
    const known = this.known;
    this.known = new Set(ids);
    return known ? ids.filter((id) => !known.has(id)) : [];
  }

  /** Takes the baseline listing now, so a bake made between the window's first list and the first look counts. */
  async prime(): Promise<void> {
    if (!this.known) await this.newIds();
  }

  private async lookAt(id: string): Promise<void> {
    const { bakes } = this.ctx.runtime.store;
    const before = this.seen.get(id);
    // Ours (or recovered here): its events come from this engine.
    if (this.ours.has(id) && (await bakes.ownedHere(id))) {
      this.seen.delete(id);
      return;
    }
    if (before?.final) return;
    const record = await bakes.get(id);
    if (!record) {
      // Deleted since; or only its index marker exists yet, and the directory appears complete next look.
      this.seen.delete(id);
      return;
    }
    const final = isFinalStatus(record.status);
    if (this.ours.has(id)) {
      // Ended here (this engine sent its end), or taken over by another process while this one stood still
      // too long — and then it is foreign like any other.
      if (final) return;
      this.ours.delete(id);
    }
    const orphan = !final && !(await bakes.liveOwner(id)).live;
    if (orphan) this.orphanSeen = true;
    if (record.seq === before?.seq && orphan === before.orphan) return;
    // owner.json is there before the bake is, so a bake this engine is just starting or recovering is never sent.
    if (!final && (await bakes.ownedHere(id))) return;
    if (this.ours.has(id)) return;
    this.seen.set(id, { seq: record.seq, final, orphan });
    // As listed: a bake whose process is gone shows as interrupted until recovery moves it on.
    this.ctx.hub.emit('bake:changed', { record: await bakes.present(record) });
  }
}

/** Looks every `intervalMs`, one look at a time; the returned function stops it. */
export function watchForeignBakes(
  ctx: AppContext,
  intervalMs: number = ctx.foreignBakePollMs ?? FOREIGN_BAKE_POLL_MS,
): () => void {
  const watch = new ForeignBakes(ctx);
  void watch
    .prime()
    .catch((error: unknown) => ctx.logger.warn('listing bakes failed', { error: String(error) }));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void watch
        .look()
        .catch((error: unknown) =>
          ctx.logger.warn('looking for bakes run elsewhere failed', { error: String(error) }),
        )
        .finally(schedule);
    }, intervalMs);
    // Watching must never keep a quitting app alive.
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
    watch.close();
  };
}
