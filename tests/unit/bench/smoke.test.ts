import { expect, test } from 'vitest';
import type { BenchBake } from '../../../bench/lib/bakes';
import { BENCH_TIMINGS } from '../../../bench/lib/world';
import { measurePolicy, type BakeSample } from '../../../bench/parts/overhead';
import { measureScale } from '../../../bench/parts/scale';
import { design2015 } from '../../../bench/policies/design-2015';
import { packerV1, packerV2 } from '../../../bench/policies/packer';
import { quadraxis } from '../../../bench/policies/quadraxis';
import { sdkWaiters } from '../../../bench/policies/sdk-waiters';
import type { Policy } from '../../../bench/policies/types';
import { ALL, quadraxisParts } from '../../../bench/report/summary';
import type { BakeTimeline } from '../../../src/sandbox';

/** The benchmark in miniature (two bakes, two lanes), so the harness cannot rot. */
// Shorter than the benchmark's distributions: the engine's poller runs per tick, so every simulated minute
// costs real time; these still cover every step and both sides of the 2015 design's 120 s guess.
const SHORT: BakeTimeline = {
  family: 'linear',
  runningAfterMs: 5_000,
  scriptMs: 10_000,
  stoppingMs: 5_000,
  snapshotMs: 20_000,
  imageMs: 30_000,
  terminateMs: 5_000,
  progress: { kind: 'power', exponent: 1 },
};
/** Longer than the 2015 design's 120 s guess (plus boot and its waiter's 15 s); available before 100 %. */
const LONG: BakeTimeline = {
  ...SHORT,
  family: 'available-first',
  scriptMs: 150_000,
  snapshotMs: 60_000,
  imageMs: 45_000,
};
/** Real time on a busy 2-core runner; virtual time is what the assertions are about. */
const SLOW = 120_000;
const bakes: BenchBake[] = [SHORT, LONG].map((timeline, index) => ({
  index,
  family: timeline.family,
  timeline,
}));
const timings = { bootMs: BENCH_TIMINGS.bootMs!, shutdownDelayMs: BENCH_TIMINGS.shutdownDelayMs! };

const play = (policy: Policy) => measurePolicy(policy, bakes, { seed: 7, lanes: 2 });
const premature = (samples: BakeSample[]) => samples.map((s) => s.premature);

test(
  'Quadraxis and the best-case SDK waiters never image before the script has finished',
  async () => {
    for (const policy of [
      quadraxis,
      sdkWaiters({ minDelaySeconds: 15, maxDelaySeconds: 120, group: 'anchor' }),
    ]) {
      const samples = await play(policy);
      expect(samples.map((s) => s.ok)).toEqual([true, true]);
      expect(premature(samples)).toEqual([false, false]);
      for (const s of samples) {
        expect(s.calls).toMatchObject({ RunInstances: 1, CreateImage: 1, TerminateInstances: 1 });
        // Waiting for the script and the snapshot: never faster than AWS itself.
        expect(s.overheadMs).toBeGreaterThanOrEqual(0);
        expect(s.seenMs).toBe(s.awsMs + s.overheadMs);
        // Neither waits for the termination it asked for.
        expect(s.cleanupMs).toBe(0);
      }
      if (policy === quadraxis) {
        // Its overhead is the lag of seeing "stopped" plus the lag of seeing "available", bake by bake.
        for (const s of samples) {
          const parts = quadraxisParts([s], bakes, timings)[ALL];
          expect(Math.round(parts.stopLag.medianS * 1000 + parts.imageLag.medianS * 1000)).toBe(
            Math.round(s.overheadMs / 100) * 100,
          );
        }
      }
    }
  },
  SLOW,
);

test(
  'the 2015 design images a long script’s machine before it is done; Packer’s provisioner waits for it',
  async () => {
    const design = await play(design2015);
    expect(premature(design)).toEqual([false, true]);
    expect(design.map((s) => s.calls.StopInstances ?? 0)).toEqual([0, 0]);
    for (const packer of [packerV2, packerV1]) {
      const packed = await play(packer);
      expect(premature(packed)).toEqual([false, false]);
      expect(packed.every((s) => s.calls.StopInstances === 1)).toBe(true);
      // Packer waits for its builder to terminate before the build returns.
      for (const s of packed) expect(s.cleanupMs).toBeGreaterThanOrEqual(SHORT.terminateMs);
    }
  },
  SLOW,
);

test(
  'two concurrent Quadraxis bakes: at most one batched Describe of each kind per tick, no throttling, no failure',
  async () => {
    const row = await measureScale(2, 7, [SHORT, LONG]);
    expect(row).toMatchObject({ bakes: 2, failed: 0, premature: 0, requestLimitExceeded: 0 });
    expect(row.callsByAction).toMatchObject({ RunInstances: 2, CreateImage: 2, TerminateInstances: 2 });
    // One DescribeInstances, one DescribeSnapshots and one DescribeImages per tick at most, whatever the bakes.
    expect(row.describe.pollerPerTickMax).toBeLessThanOrEqual(3);
    expect(row.cpuMs.total).toBeGreaterThan(0);
    expect(row.rssMb.peak).toBeGreaterThanOrEqual(row.rssMb.before);
  },
  SLOW,
);
