import { describe, expect, test } from 'vitest';
import { replaySchedules, type ReplayLook } from '../../../bench/lib/schedule-replay';
import { BackoffSchedule, BUILDER_LOOKS, BuilderSchedule } from '../../../src/main/services/bake/schedules';
import { drawTimelines, TIMELINE_FAMILIES } from '../../../src/sandbox';

const TICK = 2_000;
const seen = (state: string) => ({ kind: 'found', value: { id: 'i-1', state } }) as const;
const UP_CAP_MS = BUILDER_LOOKS.upCapTicks * TICK;

describe('BuilderSchedule', () => {
  test('looks at a new builder a few times while it boots, then at most every 30 s', () => {
    const s = new BuilderSchedule(TICK, 0);
    expect(s.nextLook().at).toBe(24_000);
    s.observed(24_000, seen('pending'));
    expect(s.nextLook().at).toBe(54_000);
    s.observed(54_000, seen('running'));
    expect(s.nextLook().at).toBe(84_000);
  });

  test('follows a fast world as closely, relatively: everything scales with the tick', () => {
    const s = new BuilderSchedule(100, 0);
    expect(s.nextLook().at).toBe(1_200);
    s.observed(1_200, seen('running'));
    // Its ceiling too: 15 ticks.
    expect(s.nextLook().at).toBe(2_700);
  });

  test('once it is stopping: looks 4 s apart, the gap growing to at most 6 s', () => {
    const s = new BuilderSchedule(TICK, 0);
    s.observed(300_000, seen('stopping'));
    expect(s.nextLook().at).toBe(304_000);
    s.observed(304_000, seen('stopping'));
    expect(s.nextLook().at).toBe(308_000);
    s.observed(340_000, seen('stopping'));
    expect(s.nextLook().at).toBe(346_000);
    expect(s.lastSeen).toEqual({ state: 'stopping', at: 340_000 });
  });

  test('a done marker pulls the next look in; an error retries within three ticks', () => {
    const s = new BuilderSchedule(TICK, 0);
    s.observed(72_000, seen('running'));
    s.expectStop(80_000);
    expect(s.nextLook().at).toBe(84_000);
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

  test.each(TIMELINE_FAMILIES)(
    'on 300 %s timelines: never more than 30 s between looks, the stop seen within 30 s',
    (family) => {
      for (const t of drawTimelines({ seed: 11, family, count: 300 })) {
        const looks: ReplayLook[] = [];
        const r = replaySchedules(t, {
          tickMs: TICK,
          bootMs: 10_000,
          shutdownDelayMs: 1_000,
          onLook: (l) => looks.push(l),
        });
        const instance = looks.filter((l) => l.kind === 'instance');
        for (let i = 1; i < instance.length; i++) {
          expect(instance[i]!.at - instance[i - 1]!.at).toBeLessThanOrEqual(UP_CAP_MS);
          if (instance[i - 1]!.saw === 'stopping')
            expect(instance[i]!.at - instance[i - 1]!.at).toBeLessThanOrEqual(
              BUILDER_LOOKS.stoppingCapTicks * TICK,
            );
        }
        expect(r.stopLagMs).toBeGreaterThanOrEqual(0);
        expect(r.stopLagMs).toBeLessThanOrEqual(UP_CAP_MS);
      }
    },
  );
});

test('BackoffSchedule: half the time waited, between a tick and its cap', () => {
  const s = new BackoffSchedule<unknown>(TICK, 0, 30_000);
  expect(s.nextLook().at).toBe(2_000);
  s.observed(2_000);
  expect(s.nextLook().at).toBe(4_000);
  s.observed(100_000);
  expect(s.nextLook().at).toBe(130_000);
});
