import { describe, expect, test } from 'vitest';
import { replaySchedules, type ReplayLook, type ReplayOptions } from '../../../bench/lib/schedule-replay';
import { IMAGE_LOOKS, ImageSchedule } from '../../../src/main/services/bake/image-schedule';
import type { ImageView, Observation, SnapshotView } from '../../../src/main/services/bake/poller';
import { drawTimelines, TIMELINE_FAMILIES, type BakeTimeline } from '../../../src/sandbox';

const TICK = 2_000;
const L = IMAGE_LOOKS;
const READING_CAP_MS = L.readingCapTicks * TICK;
const BLIND_CAP_MS = L.blindCapTicks * TICK;
const CLOSE_MS = L.closeTicks * TICK;
const LEAD_MS = L.leadTicks * TICK;

const q = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
};

function replay(t: BakeTimeline, options: Partial<ReplayOptions> = {}) {
  const looks: ReplayLook[] = [];
  const result = replaySchedules(t, {
    tickMs: TICK,
    bootMs: 10_000,
    shutdownDelayMs: 1_000,
    onLook: (l) => looks.push(l),
    ...options,
  });
  const after = looks.filter((l) => l.at >= result.createImageAt && l.kind !== 'instance');
  return {
    ...result,
    looks: after,
    readings: after.filter((l) => l.kind === 'snapshots'),
    images: after.filter((l) => l.kind === 'image'),
  };
}

/** One bake whose builder is quick; only the image part varies. */
function timeline(image: Partial<BakeTimeline>): BakeTimeline {
  return {
    family: 'linear',
    runningAfterMs: 20_000,
    scriptMs: 60_000,
    stoppingMs: 20_000,
    snapshotMs: 600_000,
    imageMs: 630_000,
    terminateMs: 40_000,
    progress: { kind: 'power', exponent: 1 },
    ...image,
  };
}

/**
 * No stretch without a look longer than the reading cap; readings no more than the blind cap apart while
 * the last one still showed 0 %. (A look may land one tick after its time: the poller spaces its ticks.)
 */
function expectCaps(r: { looks: ReplayLook[]; readings: ReplayLook[] }): void {
  for (let i = 1; i < r.looks.length; i++)
    expect(r.looks[i]!.at - r.looks[i - 1]!.at).toBeLessThanOrEqual(READING_CAP_MS + TICK);
  for (let i = 1; i < r.readings.length; i++) {
    if (r.readings[i - 1]!.saw === '0')
      expect(r.readings[i]!.at - r.readings[i - 1]!.at).toBeLessThanOrEqual(BLIND_CAP_MS + TICK);
  }
}

describe('ImageSchedule on every timeline family', () => {
  test.each(TIMELINE_FAMILIES)('%s: capped gaps, bounded lag, few looks', (family) => {
    const lags: number[] = [];
    for (const t of drawTimelines({ seed: 23, family, count: 300 })) {
      const r = replay(t);
      expectCaps(r);
      // However wrong the progress figure, the image is seen within a reading gap and a look.
      expect(r.imageLagMs).toBeGreaterThanOrEqual(0);
      expect(r.imageLagMs).toBeLessThanOrEqual(READING_CAP_MS + CLOSE_MS);
      // Once the snapshot is seen complete, the image is looked at every 8 s.
      const done = r.readings.find((l) => l.saw === 'completed');
      if (done) {
        const later = r.images.filter((l) => l.at >= done.at);
        expect(later[0]?.at).toBe(done.at);
        for (let i = 1; i < later.length; i++)
          expect(later[i]!.at - later[i - 1]!.at).toBeLessThanOrEqual(CLOSE_MS);
      }
      lags.push(r.imageLagMs);
    }
    // What the caps buy on EC2-like curves: most images seen within seconds, nearly all within 25 s.
    expect(q(lags, 0.5)).toBeLessThanOrEqual(6_000);
    expect(q(lags, 0.95)).toBeLessThanOrEqual(25_000);
  });

  test('a kind (linear) curve costs few calls: two or three readings and a handful of looks', () => {
    const r = replay(timeline({}));
    expect(r.readings.length).toBeLessThanOrEqual(5);
    // Every 8 s from 44 s before the end until EC2 registers the image 30 s after it.
    expect(r.images.length).toBeLessThanOrEqual(
      Math.ceil(LEAD_MS / CLOSE_MS) + Math.ceil(30_000 / CLOSE_MS) + 2,
    );
    expect(r.imageLagMs).toBeLessThanOrEqual(CLOSE_MS);
  });

  test('convex progress (t^1.5) is not extrapolated past the end: caught within a reading gap', () => {
    for (const snapshotMs of [120_000, 300_000, 1_200_000]) {
      const r = replay(
        timeline({ snapshotMs, imageMs: snapshotMs, progress: { kind: 'power', exponent: 1.5 } }),
      );
      expectCaps(r);
      expect(r.imageLagMs).toBeLessThanOrEqual(20_000);
    }
  });

  test('a stall mid-way (40 % for five minutes, then on) costs readings, not the image', () => {
    const t = timeline({ snapshotMs: 900_000, imageMs: 910_000 });
    // 0–40 % in 200 s, flat until 500 s, then 40–100 % in the last 400 s.
    const progress = (ms: number) =>
      ms < 200_000 ? (40 * ms) / 200_000 : ms < 500_000 ? 40 : 40 + (60 * (ms - 500_000)) / 400_000;
    const r = replay(t, { progress: (ms) => Math.floor(progress(ms)) });
    expectCaps(r);
    expect(r.imageLagMs).toBeLessThanOrEqual(CLOSE_MS);
    expect(r.readings.length + r.images.length).toBeLessThan(25);
  });

  test('stuck at 0 % until done: read every 30 s at most, the image seen soon after', () => {
    const r = replay(timeline({ progress: { kind: 'stalled', until: 1, jumpTo: 100 }, imageMs: 610_000 }));
    expectCaps(r);
    expect(r.imageLagMs).toBeLessThanOrEqual(BLIND_CAP_MS);
  });

  test('100 % long before available (5 minutes): the looks back off, the lag stays within the blind cap', () => {
    const r = replay(timeline({ snapshotMs: 300_000, imageMs: 600_000 }));
    expect(r.imageLagMs).toBeLessThanOrEqual(BLIND_CAP_MS);
    const done = r.readings.find((l) => l.saw === 'completed')!;
    const gaps = r.images.slice(1).map((l, i) => ({ at: l.at - done.at, gap: l.at - r.images[i]!.at }));
    for (const { at, gap } of gaps) {
      expect(gap).toBeLessThanOrEqual(BLIND_CAP_MS);
      // 8 s apart for the first 90 s after completion, then half the time since: at least 16 s apart.
      if (at > L.overdueTicks * TICK + CLOSE_MS) expect(gap).toBeGreaterThanOrEqual(2 * CLOSE_MS);
    }
  });

  test('available before 100 %: within the lead the image is seen within a look; beyond it, late by the excess', () => {
    // The image is available 30 s before the snapshot reports 100 %: inside the 44 s lead.
    const inside = replay(timeline({ snapshotMs: 630_000, imageMs: 600_000 }));
    expect(inside.imageLagMs).toBeLessThanOrEqual(CLOSE_MS);
    // Two minutes before: EC2's figure trails more than the schedule allows for; the end game still starts
    // 44 s before the estimated end, so the lag is the excess, not unbounded.
    const far = replay(timeline({ snapshotMs: 720_000, imageMs: 600_000 }));
    expect(far.imageLagMs).toBeGreaterThan(CLOSE_MS);
    expect(far.imageLagMs).toBeLessThanOrEqual(120_000 - LEAD_MS + CLOSE_MS);
  });
});

describe('ImageSchedule, look by look', () => {
  const pending: Observation<ImageView> = {
    kind: 'found',
    value: { id: 'ami-1', state: 'pending', snapshotIds: [] },
  };
  const snap = (progress: number, state = 'pending'): Observation<SnapshotView[]> => ({
    kind: 'found',
    value: [{ id: 'snap-1', state, progress }],
  });

  test('the first reading comes after a fifth of the bake so far, at most 30 s', () => {
    expect(new ImageSchedule(TICK, 0, 100_000).readingLook().at).toBe(20_000);
    expect(new ImageSchedule(TICK, 0, 900_000).readingLook().at).toBe(30_000);
    expect(Number.isFinite(new ImageSchedule(TICK, 0, 100_000).imageLook().at)).toBe(false);
  });

  test('snapshots not listed yet: the image is looked at in the same tick, both again later', () => {
    const s = new ImageSchedule(TICK, 0, 300_000);
    s.onSnapshots(30_000, { kind: 'missing' });
    expect(s.imageLook().at).toBe(30_000);
    expect(s.readingLook().at).toBe(45_000);
    s.onImage(30_000, pending);
    expect(s.imageLook().at).toBe(45_000);
    // Backing off by half the time waited, to 30 s at most.
    s.onImage(200_000, pending);
    expect(s.imageLook().at).toBe(230_000);
  });

  test('snapshots complete: the image now, then every 8 s; after 90 s backing off to 30 s', () => {
    const s = new ImageSchedule(TICK, 0, 300_000);
    s.onSnapshots(60_000, snap(100, 'completed'));
    expect(s.imageLook().at).toBe(60_000);
    expect(Number.isFinite(s.readingLook().at)).toBe(false);
    s.onImage(60_000, pending);
    expect(s.imageLook().at).toBe(68_000);
    s.onImage(200_000, pending);
    expect(s.imageLook().at).toBe(230_000);
  });

  test('an image pending 90 s past its estimated end sends the schedule back to reading', () => {
    const s = new ImageSchedule(TICK, 0, 300_000);
    s.onSnapshots(30_000, snap(10));
    s.onSnapshots(150_000, snap(50));
    // The rate between the two readings, from the middle of the last whole percent: the end at 298.5 s.
    const end = 150_000 + (99.5 - 50) / (40 / 120_000);
    expect(s.imageLook().at).toBe(Math.ceil(end - LEAD_MS));
    expect(s.readingLook().at).toBe(Math.ceil(end));
    s.onSnapshots(end, snap(99));
    s.onImage(end + 92_000, pending);
    expect(Number.isFinite(s.imageLook().at)).toBe(false);
    expect(s.readingLook().at).toBe(Math.ceil(end + 94_000));
  });

  test('a failed reading is retried within three ticks', () => {
    const s = new ImageSchedule(TICK, 0, 300_000);
    s.onSnapshots(100_000, { kind: 'error', error: new Error('throttled') });
    expect(s.readingLook().at).toBe(106_000);
  });
});
