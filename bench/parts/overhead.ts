import { VirtualClock } from '../../src/main/services/clock';
import type { CallRecord } from '../../src/sandbox';
import { childSeed, seededRandom } from '../lib/random';
import { sandboxTimeline, type BenchTimeline } from '../lib/timelines';
import { BENCH_EPOCH, BENCH_REGION, createWorld } from '../lib/world';
import type { BakeResult, Policy } from '../policies/types';

/** One timeline played against one policy. */
export interface BakeSample {
  index: number;
  ok: boolean;
  message?: string;
  wallMs: number;
  awsMs: number;
  overheadMs: number;
  /** EC2/SSM/STS calls the Sandbox answered during this bake, by action. */
  calls: Record<string, number>;
  /** null when no image was made. */
  premature: boolean | null;
  stepsMs?: Record<string, number>;
}

export interface OverheadOptions {
  seed: number;
  /** Independent Sandboxes played side by side on one clock; each plays its timelines one bake at a time. */
  lanes: number;
  onBake?: (sample: BakeSample) => void;
}

function countByAction(calls: readonly CallRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.action] = (counts[call.action] ?? 0) + 1;
  return counts;
}

/**
 * Plays each timeline against the policy, alone in its Sandbox (one bake at a time per lane), and measures
 * in virtual time: wall, AWS's own time on the policy's path, the calls the Sandbox saw, and whether the
 * image was taken before the script had finished. `timelines` carries each one's index in the full draw.
 */
export async function measurePolicy(
  policy: Policy,
  timelines: readonly { index: number; timeline: BenchTimeline }[],
  options: OverheadOptions,
): Promise<BakeSample[]> {
  const clock = new VirtualClock(BENCH_EPOCH);
  clock.startAuto();
  const lanes = Array.from({ length: Math.min(options.lanes, timelines.length) }, (_, lane) =>
    timelines.filter((_, i) => i % options.lanes === lane),
  );
  try {
    const results = await Promise.all(lanes.map((work, lane) => runLane(policy, work, clock, options, lane)));
    return results.flat().sort((a, b) => a.index - b.index);
  } finally {
    clock.stopAuto();
  }
}

async function runLane(
  policy: Policy,
  work: readonly { index: number; timeline: BenchTimeline }[],
  clock: VirtualClock,
  options: OverheadOptions,
  lane: number,
): Promise<BakeSample[]> {
  const world = await createWorld({
    seed: `overhead-${options.seed}-${lane}`,
    clock,
    transport: 'in-process',
  });
  const samples: BakeSample[] = [];
  try {
    const runner = await policy.open({
      world,
      region: BENCH_REGION,
      rng: seededRandom(childSeed(options.seed, `${policy.id}/${work[0]?.index ?? 0}`)),
    });
    try {
      const { sim } = world.sandbox;
      for (const { index, timeline } of work) {
        sim.pushTimeline(sandboxTimeline(timeline, policy.powersOff));
        const lastSeq = sim.calls().at(-1)?.seq ?? 0;
        const start = clock.now();
        // A reference policy's waiter may give up (as the real one would): a failed bake, not a failed run.
        const result = await runner
          .bake({ index, timeline })
          .catch((error: unknown): BakeResult => ({ ok: false, message: String(error) }));
        const wallMs = clock.now() - start;
        // A bake that never launched would hand its timeline to the next one and skew every later figure.
        if (sim.pendingTimelines() > 0) {
          throw new Error(`${policy.id} bake ${index} never launched: ${result.message ?? 'no message'}`);
        }
        const image = result.imageId ? sim.images().find((i) => i.imageId === result.imageId) : undefined;
        const awsMs = policy.awsPathMs(timeline, world.timings);
        const sample: BakeSample = {
          index,
          ok: result.ok,
          ...(result.message && !result.ok ? { message: result.message } : {}),
          wallMs: Math.round(wallMs),
          awsMs,
          overheadMs: Math.round(wallMs - awsMs),
          calls: countByAction(sim.calls().filter((c) => c.seq > lastSeq)),
          premature: image ? image.scriptCompleteAtCapture !== true : null,
          ...(result.stepsMs ? { stepsMs: result.stepsMs } : {}),
        };
        samples.push(sample);
        options.onBake?.(sample);
      }
    } finally {
      await runner.close();
    }
  } finally {
    await world.close();
  }
  return samples;
}
