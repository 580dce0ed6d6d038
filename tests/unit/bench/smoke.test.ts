import { expect, test } from 'vitest';
import { measurePolicy, type BakeSample } from '../../../bench/parts/overhead';
import { measureScale } from '../../../bench/parts/scale';
import { design2015 } from '../../../bench/policies/design-2015';
import { packer } from '../../../bench/policies/packer';
import { quadraxis } from '../../../bench/policies/quadraxis';
import { sdkWaiters } from '../../../bench/policies/sdk-waiters';
import type { Policy } from '../../../bench/policies/types';
import { quadraxisBreakdown } from '../../../bench/report/summary';
import type { BenchTimeline } from '../../../bench/lib/timelines';
import { BENCH_TIMINGS } from '../../../bench/lib/world';

/** The benchmark in miniature (two timelines, two concurrent bakes), so the harness cannot rot. */
// Shorter than the benchmark's distributions: the engine polls every 2 s, so each simulated minute costs
// real time; these still cover every step and both sides of the 2015 design's 120 s guess.
const SHORT: BenchTimeline = {
  runningAfterMs: 5_000,
  scriptMs: 10_000,
  stoppingMs: 5_000,
  imageMs: 20_000,
  terminateMs: 5_000,
};
/** Longer than the 2015 design's 120 s guess (plus boot and its waiter's 15 s). */
const LONG: BenchTimeline = { ...SHORT, scriptMs: 150_000 };
/** Real time on a busy 2-core runner; virtual time is what the assertions are about. */
const SLOW = 120_000;
const timelines = [SHORT, LONG].map((timeline, index) => ({ index, timeline }));
const timings = { bootMs: BENCH_TIMINGS.bootMs!, shutdownDelayMs: BENCH_TIMINGS.shutdownDelayMs! };

const play = (policy: Policy) => measurePolicy(policy, timelines, { seed: 7, lanes: 2 });
const premature = (samples: BakeSample[]) => samples.map((s) => s.premature);

test(
  'Quadraxis and the best-case SDK waiters never image before the script has finished',
  async () => {
    for (const policy of [quadraxis, sdkWaiters]) {
      const samples = await play(policy);
      expect(samples.map((s) => s.ok)).toEqual([true, true]);
      expect(premature(samples)).toEqual([false, false]);
      for (const s of samples) {
        expect(s.calls).toMatchObject({ RunInstances: 1, CreateImage: 1, TerminateInstances: 1 });
        // Waiting for the script and the snapshot: never faster than AWS itself.
        expect(s.overheadMs).toBeGreaterThanOrEqual(0);
        expect(s.wallMs).toBe(s.awsMs + s.overheadMs);
      }
      if (policy === quadraxis) {
        // The breakdown accounts for every millisecond of each bake's overhead.
        for (const s of samples) {
          const b = quadraxisBreakdown([s], [SHORT, LONG], timings);
          const parts = [b.beforeLaunchMs, b.stoppedToCreateImageMs, b.imageSeenLagMs, b.afterImageMs];
          expect(parts.reduce((sum, p) => sum + p.median, 0)).toBe(s.overheadMs);
        }
      }
    }
  },
  SLOW,
);

test(
  'the 2015 design images a long script’s machine before it is done; Packer never waits for user data',
  async () => {
    const design = await play(design2015);
    expect(premature(design)).toEqual([false, true]);
    expect(design.map((s) => s.calls.StopInstances ?? 0)).toEqual([0, 0]);
    const packed = await play(packer);
    expect(premature(packed)).toEqual([true, true]);
    expect(packed.every((s) => s.calls.StopInstances === 1)).toBe(true);
  },
  SLOW,
);

test(
  'two concurrent Quadraxis bakes: one batched Describe of each kind per tick, no throttling, no failure',
  async () => {
    const row = await measureScale(2, 7, [SHORT, LONG]);
    expect(row).toMatchObject({ bakes: 2, failed: 0, premature: 0, requestLimitExceeded: 0 });
    expect(row.callsByAction).toMatchObject({ RunInstances: 2, CreateImage: 2, TerminateInstances: 2 });
    expect(row.describe.pollerPerTickMax).toBeLessThanOrEqual(2);
    expect(row.cpuMs.total).toBeGreaterThan(0);
    expect(row.rssMb.peak).toBeGreaterThanOrEqual(row.rssMb.before);
  },
  SLOW,
);
