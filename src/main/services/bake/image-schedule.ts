import type { ImageView, Look, Observation, SnapshotView } from './poller';
import { NO_LOOK } from './poller';

/** The first snapshot reading, after a fifth of the time the bake has taken so far (at most 30 ticks)… */
const FIRST_READING_FRACTION = 0.2;
const FIRST_READING_CAP_TICKS = 30;
/** …then readings converge on the estimated end: the next one nine tenths of the way to its earliest. */
const CONVERGE = 0.9;
/** The image is looked at once its end is known this closely: a sixtieth of the snapshot's duration. */
const PRECISION = 1 / 60;
/** Without a usable progress figure: half the time waited so far, at most 60 ticks (two minutes). */
const BLIND_CAP_TICKS = 60;
/** Snapshots complete but the image still pending (EC2 registers it a moment later): doubling looks. */
const CONFIRM_CAP_TICKS = 15;

interface Bounds {
  /** Where progress counts from: CreateImage, or the last reading that still showed 0 %. */
  origin: number;
  /** The last reading that showed progress. */
  last?: { at: number; percent: number };
  /** Only one reading since progress began somewhere after CreateImage: its rate is a guess. */
  guessed: boolean;
  /** When the snapshot completes, as far as its readings tell: after lo, at the latest hi (clock ms). */
  lo: number;
  hi: number;
}

type Span = [lo: number, hi: number];

function overlap(a: Span, b: Span): Span | undefined {
  const lo = Math.max(a[0], b[0]);
  const hi = Math.min(a[1], b[1]);
  return lo <= hi ? [lo, hi] : undefined;
}

/**
 * When to read the bake's EBS snapshots (DescribeSnapshots, batched across bakes) and when to look at the
 * image itself (DescribeImages). EC2 reports a snapshot's progress as a whole percent; if it grows
 * linearly, "p % after e ms" bounds its duration to (100e/(p+1), 100e/p]. Each reading narrows that, the
 * next is taken close to the earliest possible end, and once the end is known to within a sixtieth of the
 * duration the image is looked at just after it — about three calls for an image of any size. Progress that
 * sits at 0 % for a while (as EC2's often does) moves the origin to the last such reading; a figure that
 * proves wrong (the image still pending at the estimated end) starts the readings over, and without any
 * figure the looks back off by half the time waited: a non-linear snapshot costs looks or lag, never the
 * image.
 */
export class ImageSchedule {
  private readonly bounds = new Map<string, Bounds>();
  private readingAt: number;
  private imageAt = Number.POSITIVE_INFINITY;
  private lastLookAt: number;
  private confirmations = 0;

  /** `startedAt`: when CreateImage was sent; `paceMs`: how long the bake took until then (its time scale). */
  constructor(
    private readonly tickMs: number,
    private readonly startedAt: number,
    paceMs: number,
  ) {
    this.lastLookAt = startedAt;
    this.readingAt =
      startedAt +
      Math.min(FIRST_READING_CAP_TICKS * tickMs, Math.max(tickMs, paceMs * FIRST_READING_FRACTION));
  }

  readingLook(): Look {
    return Number.isFinite(this.readingAt)
      ? { at: this.readingAt, slackMs: (this.readingAt - this.lastLookAt) / 4 }
      : NO_LOOK;
  }

  /** Exact: an image looked at early is only a wasted call. */
  imageLook(): Look {
    return Number.isFinite(this.imageAt) ? { at: this.imageAt, slackMs: 0 } : NO_LOOK;
  }

  onSnapshots(now: number, observation: Observation<SnapshotView[]>): void {
    this.lastLookAt = now;
    const elapsed = now - this.startedAt;
    if (observation.kind !== 'found') {
      // Not listed yet (or the endpoint cannot filter by tag): look at the image now (this same tick), and
      // at both again later, backing off.
      this.readingAt = now + this.blind(elapsed);
      this.imageAt = now;
      return;
    }
    const snapshots = observation.value;
    if (snapshots.every((s) => s.state !== 'pending' || (s.progress ?? 0) >= 100)) {
      this.confirm(now);
      return;
    }
    let lo = now;
    let hi = now;
    // A rate guessed from one reading may be far off: look again within the time progress has been seen.
    let latest = Number.POSITIVE_INFINITY;
    for (const snapshot of snapshots) {
      if (snapshot.state !== 'pending') continue;
      const b = this.narrow(snapshot, now);
      lo = Math.max(lo, b.lo);
      hi = Math.max(hi, b.hi);
      if (b.guessed) latest = Math.min(latest, now + Math.max(this.tickMs, now - b.origin));
    }
    this.plan(now, lo, hi, latest);
  }

  onImage(now: number, observation: Observation<ImageView>): void {
    this.lastLookAt = now;
    if (this.confirmations > 0) {
      this.imageAt = now + this.tickMs * Math.min(CONFIRM_CAP_TICKS, 2 ** this.confirmations++);
      return;
    }
    // Pending at its estimated end, or not listed yet: the readings were no guide; start over from now.
    const elapsed = now - this.startedAt;
    for (const b of this.bounds.values()) {
      b.lo = now;
      b.hi = Number.POSITIVE_INFINITY;
    }
    this.imageAt = Number.POSITIVE_INFINITY;
    this.readingAt = now + this.blind(elapsed) / 2;
    if (observation.kind !== 'found') this.imageAt = this.readingAt;
  }

  private confirm(now: number): void {
    this.readingAt = Number.POSITIVE_INFINITY;
    this.imageAt = now;
    this.confirmations = 1;
  }

  /**
   * What one reading tells of a snapshot's end: linear from its origin, and — given an earlier reading —
   * at the rate between the two (whole percents, so each is ±1). Estimates that agree are intersected;
   * where they do not (progress is not linear after all), the most recent evidence wins.
   */
  private narrow(snapshot: SnapshotView, now: number): Bounds {
    const p = Math.floor(snapshot.progress ?? 0);
    const before = this.bounds.get(snapshot.id);
    const origin = p <= 0 ? now : (before?.origin ?? this.startedAt);
    let span: Span = [now, Number.POSITIVE_INFINITY];
    let guessed = false;
    if (p > 0) {
      guessed = origin !== this.startedAt;
      const elapsed = now - origin;
      span = [origin + (100 * elapsed) / (p + 1), origin + (100 * elapsed) / p];
      const last = before?.last;
      if (last && p > last.percent) {
        // Between the two readings progress grew by dp percent, give or take one either way.
        const dt = now - last.at;
        const dp = p - last.percent;
        const rate: Span = [now + ((99 - p) * dt) / (dp + 1), now + ((100 - p) * dt) / Math.max(dp - 1, 0.5)];
        span = overlap(span, rate) ?? rate;
        guessed = false;
      }
      if (before) span = overlap(span, [before.lo, before.hi]) ?? span;
    }
    const b: Bounds = {
      origin,
      ...(p > 0 ? { last: { at: now, percent: p } } : {}),
      guessed,
      lo: Math.max(now, span[0]),
      hi: span[1],
    };
    this.bounds.set(snapshot.id, b);
    return b;
  }

  private plan(now: number, lo: number, hi: number, latest: number): void {
    if (!Number.isFinite(hi)) {
      this.readingAt = now + this.blind(now - this.startedAt);
      this.imageAt = Number.POSITIVE_INFINITY;
      return;
    }
    const next = Math.min(latest, now + CONVERGE * (lo - now));
    if (hi - lo <= Math.max(this.tickMs, (hi - this.startedAt) * PRECISION) || next - now < this.tickMs) {
      this.readingAt = Number.POSITIVE_INFINITY;
      this.imageAt = Math.max(now + this.tickMs, hi);
      return;
    }
    this.readingAt = next;
    this.imageAt = Number.POSITIVE_INFINITY;
  }

  private blind(elapsed: number): number {
    return Math.min(BLIND_CAP_TICKS * this.tickMs, Math.max(this.tickMs, elapsed / 2));
  }
}
