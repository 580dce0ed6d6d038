import { describe, expect, test } from 'vitest';
import { ImageSchedule } from '../../../src/main/services/bake/image-schedule';
import type { ImageView, Observation, SnapshotView } from '../../../src/main/services/bake/poller';
import { BackoffSchedule, BuilderSchedule } from '../../../src/main/services/bake/schedules';

const TICK = 2_000;
const seen = (state: string) => ({ kind: 'found', value: { id: 'i-1', state } }) as const;

describe('BuilderSchedule', () => {
  test('looks at a new builder a few times while it boots, then at most every 50 s', () => {
    const s = new BuilderSchedule(TICK, 0);
    expect(s.nextLook().at).toBe(24_000);
    s.observed(24_000, seen('pending'));
    expect(s.nextLook().at).toBe(72_000);
    s.observed(72_000, seen('running'));
    expect(s.nextLook().at).toBe(122_000);
    s.observed(122_000, seen('running'));
    expect(s.nextLook().at).toBe(172_000);
  });

  test('follows a fast world as closely, relatively: everything scales with the tick and the time so far', () => {
    const s = new BuilderSchedule(100, 0);
    expect(s.nextLook().at).toBe(1_200);
    s.observed(1_200, seen('running'));
    expect(s.nextLook().at).toBe(3_600);
    // Its ceiling too: 25 ticks.
    s.observed(3_600, seen('running'));
    expect(s.nextLook().at).toBe(6_100);
  });

  test('once it is stopping: every tenth of the time since launch, at most 10 s', () => {
    const s = new BuilderSchedule(TICK, 0);
    s.observed(300_000, seen('stopping'));
    expect(s.nextLook().at).toBe(310_000);
    const quick = new BuilderSchedule(TICK, 0);
    quick.observed(40_000, seen('stopping'));
    expect(quick.nextLook().at).toBe(44_000);
    expect(quick.lastSeen).toEqual({ state: 'stopping', at: 40_000 });
  });

  test('a done marker pulls the next look in; an error retries within three ticks', () => {
    const s = new BuilderSchedule(TICK, 0);
    s.observed(72_000, seen('running'));
    s.expectStop(80_000);
    expect(s.nextLook().at).toBe(88_000);
    const failing = new BuilderSchedule(TICK, 0);
    failing.observed(300_000, { kind: 'error', error: new Error('throttled') });
    expect(failing.nextLook().at).toBe(306_000);
  });

  test('a resumed bake looks at once; a look may come a quarter of its wait early to share a call', () => {
    const s = new BuilderSchedule(TICK, 0, 600_000);
    expect(s.nextLook().at).toBe(600_000);
    const fresh = new BuilderSchedule(TICK, 0);
    expect(fresh.nextLook().slackMs).toBe(6_000);
  });
});

/** Plays a snapshot against the schedule as the poller would; returns the looks made and when it was seen. */
function play(durationMs: number, progressAt: (elapsed: number) => number) {
  const s = new ImageSchedule(TICK, 0, 300_000);
  const looks: string[] = [];
  for (let guard = 0; guard < 200; guard++) {
    const reading = s.readingLook().at;
    const image = s.imageLook().at;
    const now = Math.min(reading, image);
    if (reading === now) {
      looks.push('snapshots');
      const done = now >= durationMs;
      const snapshot: SnapshotView = {
        id: 'snap-1',
        state: done ? 'completed' : 'pending',
        progress: done ? 100 : progressAt(now),
      };
      s.onSnapshots(now, { kind: 'found', value: [snapshot] });
    }
    // The poller looks at images after snapshots in the same tick.
    if (s.imageLook().at <= now) {
      looks.push('image');
      if (now >= durationMs) return { looks, seenAt: now };
      s.onImage(now, { kind: 'found', value: { id: 'ami-1', state: 'pending', snapshotIds: [] } });
    }
  }
  throw new Error('the schedule never saw the image');
}

describe('ImageSchedule', () => {
  test.each([120_000, 240_001, 437_000, 900_000])(
    'a linear %i ms snapshot: three looks, the image seen within a sixtieth of its duration',
    (duration) => {
      const { looks, seenAt } = play(duration, (e) => Math.floor((100 * e) / duration));
      expect(looks.length).toBeLessThanOrEqual(4);
      expect(looks.at(-1)).toBe('image');
      expect(seenAt - duration).toBeGreaterThanOrEqual(0);
      expect(seenAt - duration).toBeLessThanOrEqual(Math.max(TICK, duration / 60) + TICK);
    },
  );

  test('progress that is not linear (stuck at 0 %, then racing) costs lag, never a missed image', () => {
    const duration = 600_000;
    const { looks, seenAt } = play(duration, (e) => (e < 400_000 ? 0 : Math.floor((e - 400_000) / 2_000)));
    expect(seenAt).toBeGreaterThanOrEqual(duration);
    // The origin moves past the 0 % readings and two readings give the real rate: a few seconds late.
    expect(seenAt - duration).toBeLessThanOrEqual(15_000);
    expect(looks.length).toBeLessThan(12);
  });

  test('an estimate that proves wrong (still pending at its end) starts reading again', () => {
    const duration = 500_000;
    // Fast at first, then slow: the early readings promise an end well before the real one.
    const { seenAt } = play(duration, (e) =>
      Math.min(99, e < 100_000 ? Math.floor(e / 1_000) : 99 - Math.ceil((duration - e) / 10_000)),
    );
    expect(seenAt).toBeGreaterThanOrEqual(duration);
  });

  test('snapshots not listed yet: the image is looked at in the same tick, both again later', () => {
    const s = new ImageSchedule(TICK, 0, 300_000);
    const first = s.readingLook().at;
    expect(first).toBe(60_000);
    const missing: Observation<SnapshotView[]> = { kind: 'missing' };
    s.onSnapshots(first, missing);
    expect(s.imageLook().at).toBe(first);
    expect(s.readingLook().at).toBeGreaterThan(first);
  });

  test('snapshots complete but the image not yet available: looks again soon, doubling', () => {
    const s = new ImageSchedule(TICK, 0, 300_000);
    s.onSnapshots(60_000, { kind: 'found', value: [{ id: 'snap-1', state: 'completed', progress: 100 }] });
    expect(s.imageLook().at).toBe(60_000);
    const pending: Observation<ImageView> = {
      kind: 'found',
      value: { id: 'ami-1', state: 'pending', snapshotIds: [] },
    };
    s.onImage(60_000, pending);
    expect(s.imageLook().at).toBe(64_000);
    s.onImage(64_000, pending);
    expect(s.imageLook().at).toBe(72_000);
    expect(Number.isFinite(s.readingLook().at)).toBe(false);
  });
});

test('BackoffSchedule: half the time waited, between a tick and its cap', () => {
  const s = new BackoffSchedule<unknown>(TICK, 0, 30_000);
  expect(s.nextLook().at).toBe(2_000);
  s.observed(2_000);
  expect(s.nextLook().at).toBe(4_000);
  s.observed(100_000);
  expect(s.nextLook().at).toBe(130_000);
});
