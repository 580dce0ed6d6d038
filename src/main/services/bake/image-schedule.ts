import type { ImageView, Look, Observation, SnapshotView } from './poller';
import { NO_LOOK } from './poller';
import { completionEstimate, type Reading } from './progress-estimate';

/**
 * Every gap of the image's looks, in engine ticks (2 s in the app; tests and fast Sandboxes shrink the tick,
 * and everything with it). Each is a ceiling: no figure EC2 reports can push a look further out.
 */
export const IMAGE_LOOKS = {
  /** The first snapshot reading: a fifth of the time the bake took until CreateImage, at most 15 ticks. */
  firstReadingFraction: 0.2,
  firstReadingCapTicks: 15,
  /**
   * While progress moves: the next reading half-way to the estimated end — or, once two readings agree on
   * it (within a tenth of the time left), at the end game — but never later than three times the time
   * waited so far (a figure read early says least) and never more than 90 ticks (3 min) later.
   */
  towardEnd: 0.5,
  agreement: 0.1,
  readingGrowth: 3,
  readingCapTicks: 90,
  /**
   * While progress says nothing (still 0 %): the next reading after half the time waited so far, at most
   * 15 ticks (30 s) later. A snapshot stuck at 0 % until done is then seen complete within 30 s, most of it
   * hidden in the 0–60 s EC2 takes to register the image after that.
   */
  blindFraction: 0.5,
  blindCapTicks: 15,
  /**
   * The end game: EC2 may list the image available before the snapshot's progress reaches 100 % (the
   * figure trails) or up to about a minute after, so the image is looked at from `leadTicks` (44 s) before
   * the estimated end — or from a reading that shows the snapshot complete — every `closeTicks` (8 s).
   */
  leadTicks: 22,
  closeTicks: 4,
  /**
   * Still pending this long past the estimated end: the estimate was wrong, readings start again; this long
   * after the snapshots completed: EC2 is slow to register it, and the looks back off (to the blind cap).
   */
  overdueTicks: 45,
} as const;

export type ImageLooks = { readonly [K in keyof typeof IMAGE_LOOKS]: number };

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

type Phase =
  /** Reading progress toward the end game. */
  | { kind: 'reading'; estimate?: number }
  /** Around the estimated end: image looks; one reading at the end to learn it is complete. */
  | { kind: 'end-game'; end: number }
  /** The snapshots are complete (or failed), as seen `since`: the image follows shortly. */
  | { kind: 'complete'; since: number }
  /** The snapshots are not listed (not yet, or tags cannot be filtered): the image is looked at blind. */
  | { kind: 'blind' };

/**
 * When to read the bake's EBS snapshots (DescribeSnapshots, batched across bakes) and when to look at the
 * image itself (DescribeImages). Progress is a hint, never trusted: EC2's curve may be linear, convex,
 * concave, stuck at 0 % and then jump, and the image may turn available before its snapshot reports 100 %
 * or up to a minute after. So every gap is capped (IMAGE_LOOKS), whatever the readings say:
 * - readings head for the estimated end (completionEstimate), at most 3 minutes apart, 30 s while 0 %;
 * - the image is looked at every 8 s from 44 s before the estimated end (a reading that shows the snapshot
 *   complete starts those close looks at once);
 * - an image still pending 90 s past the estimate sends the schedule back to reading.
 * Seeing the image late is therefore bounded by these caps for any curve; the calls spent are few when the
 * curve is kind (two or three readings and a few looks) and more when it is not.
 */
export class ImageSchedule {
  private readonly readings = new Map<string, Reading[]>();
  private phase: Phase = { kind: 'reading' };
  private readingAt: number;
  private imageAt = Number.POSITIVE_INFINITY;
  private lastReadingAt: number;

  /** `startedAt`: when CreateImage was sent; `paceMs`: how long the bake took until then (its time scale). */
  constructor(
    private readonly tickMs: number,
    private readonly startedAt: number,
    paceMs: number,
    private readonly looks: ImageLooks = IMAGE_LOOKS,
  ) {
    this.lastReadingAt = startedAt;
    this.readingAt =
      startedAt + clamp(paceMs * looks.firstReadingFraction, tickMs, looks.firstReadingCapTicks * tickMs);
  }

  readingLook(): Look {
    if (!Number.isFinite(this.readingAt)) return NO_LOOK;
    const at = Math.ceil(this.readingAt);
    return { at, slackMs: Math.floor((at - this.lastReadingAt) / 4) };
  }

  /** Exact: an image looked at early is only a wasted call. */
  imageLook(): Look {
    return Number.isFinite(this.imageAt) ? { at: Math.ceil(this.imageAt), slackMs: 0 } : NO_LOOK;
  }

  onSnapshots(now: number, observation: Observation<SnapshotView[]>): void {
    this.lastReadingAt = now;
    if (observation.kind === 'error') {
      this.readingAt = now + Math.min(3 * this.tickMs, this.blindGap(now));
      return;
    }
    if (observation.kind === 'missing') {
      // Not listed yet (or the endpoint cannot filter by tag): look at the image blind, and read again later.
      this.phase = { kind: 'blind' };
      this.readingAt = now + this.blindGap(now);
      this.imageAt = Math.min(this.imageAt, now);
      return;
    }
    const snapshots = observation.value;
    if (snapshots.every((s) => s.state !== 'pending' || (s.progress ?? 0) >= 100)) {
      this.phase = { kind: 'complete', since: now };
      this.readingAt = Number.POSITIVE_INFINITY;
      this.imageAt = Math.min(this.imageAt, now);
      return;
    }
    this.plan(now, this.estimate(now, snapshots));
  }

  onImage(now: number, observation: Observation<ImageView>): void {
    const l = this.looks;
    const tick = this.tickMs;
    if (observation.kind === 'error') {
      this.imageAt = now + 3 * tick;
      return;
    }
    const phase = this.phase;
    switch (phase.kind) {
      case 'blind':
        this.imageAt = now + this.blindGap(now);
        return;
      case 'complete': {
        // Past the minute EC2 usually takes, back off (half the time since, at most the blind cap).
        const since = now - phase.since;
        this.imageAt =
          now +
          (since <= l.overdueTicks * tick
            ? l.closeTicks * tick
            : clamp(since * l.blindFraction, l.closeTicks * tick, l.blindCapTicks * tick));
        return;
      }
      case 'end-game':
        if (now - phase.end > l.overdueTicks * tick) {
          // Pending well past the estimate: the readings were no guide. Read again now and start over.
          this.phase = { kind: 'reading' };
          this.imageAt = Number.POSITIVE_INFINITY;
          this.readingAt = now + tick;
          return;
        }
        this.imageAt = now + l.closeTicks * tick;
        return;
      case 'reading':
        // A look the schedule no longer wants (it left the end game): none until the next end game.
        this.imageAt = Number.POSITIVE_INFINITY;
    }
  }

  /** When the slowest pending snapshot should be done; undefined while any says nothing (0 %). */
  private estimate(now: number, snapshots: SnapshotView[]): number | undefined {
    let end: number | undefined = now;
    for (const snapshot of snapshots) {
      if (snapshot.state !== 'pending') continue;
      const list = this.readings.get(snapshot.id) ?? [];
      list.push({ at: now, percent: Math.floor(snapshot.progress ?? 0) });
      this.readings.set(snapshot.id, list);
      const estimate = completionEstimate(this.startedAt, list);
      end = estimate === undefined || end === undefined ? undefined : Math.max(end, estimate);
    }
    return end;
  }

  private plan(now: number, end: number | undefined): void {
    const l = this.looks;
    const tick = this.tickMs;
    const lead = l.leadTicks * tick;
    const previous = this.phase;
    if (end === undefined) {
      this.phase = { kind: 'reading' };
      this.imageAt = Number.POSITIVE_INFINITY;
      this.readingAt = now + this.blindGap(now);
      return;
    }
    if (previous.kind === 'end-game') {
      // The reading at the estimated end: still pending. Nearly done — keep looking at the image (an image
      // still pending long past this end sends the schedule back here); else progress slowed: read again.
      if (end - now <= 2 * lead) {
        this.phase = { kind: 'end-game', end };
        this.readingAt = Number.POSITIVE_INFINITY;
        return;
      }
    }
    const agreed =
      previous.kind === 'reading' &&
      previous.estimate !== undefined &&
      Math.abs(previous.estimate - end) <= l.agreement * (end - now);
    const gameAt = end - lead;
    const toward = agreed ? gameAt : now + (end - now) * l.towardEnd;
    const cap = Math.min(l.readingCapTicks * tick, Math.max(tick, (now - this.startedAt) * l.readingGrowth));
    const next = clamp(toward, now + tick, now + cap);
    if (next < gameAt) {
      this.phase = { kind: 'reading', estimate: end };
      this.imageAt = Number.POSITIVE_INFINITY;
      this.readingAt = next;
      return;
    }
    // The end game: image looks from `lead` before the end, and one reading at the end (within the cap).
    this.phase = { kind: 'end-game', end };
    this.imageAt = Math.min(this.imageAt, Math.max(now + tick, gameAt));
    this.readingAt = clamp(end, now + tick, now + Math.max(cap, lead));
  }

  private blindGap(now: number): number {
    return clamp(
      (now - this.startedAt) * this.looks.blindFraction,
      this.tickMs,
      this.looks.blindCapTicks * this.tickMs,
    );
  }
}
