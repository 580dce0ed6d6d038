import { VirtualClock } from '../../src/main/services/clock';
import {
  childSeed,
  launchTimeline,
  seededRandom,
  type CallRecord,
  type TimelineFamily,
} from '../../src/sandbox';
import type { BenchBake } from '../lib/bakes';
import { BENCH_EPOCH, BENCH_REGION, createWorld } from '../lib/world';
import type { BakeResult, Policy } from '../policies/types';

/** One timeline played against one policy. */
export interface BakeSample {
  index: number;
  family: TimelineFamily;
  ok: boolean;
  message?: string;
  /** From the start until the policy saw its image available (what a person waits for). */
  seenMs: number;
  /** AWS's own time until the image was available, on the policy's path. */
  awsMs: number;
  /** seenMs − awsMs: what the policy added. */
  overheadMs: number;
  /** From seeing the image until the policy returned: terminating the builder, waiting for that. */
  cleanupMs: number;
  /** Every call the Sandbox answered for this bake, by action (cleanup included). */
  calls: Record<string, number>;
  /** null when no image was made. */
  premature: boolean | null;
  stepsMs?: Record<string, number>;
}

export interface OverheadOptions {
  seed: number;
  /** Independent Sandboxes played side by side on one clock; each plays its bakes one at a time. */
  lanes: number;
  onBake?: (sample: BakeSample) => void;
}

function countByAction(calls: readonly CallRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.action] = (counts[call.action] ?? 0) + 1;
  return counts;
}

/**
 * Plays each bake against the policy, alone in its Sandbox (one bake at a time per lane), and measures in
 * virtual time: until the image was seen, AWS's own time on the policy's path, the cleanup after it, the
 * calls the Sandbox saw, and whether the image was taken before the script had finished.
 */
export async function measurePolicy(
  policy: Policy,
  bakes: readonly BenchBake[],
  options: OverheadOptions,
): Promise<BakeSample[]> {
  const clock = new VirtualClock(BENCH_EPOCH);
  clock.startAuto();
  const lanes = Array.from({ length: Math.min(options.lanes, bakes.length) }, (_, lane) =>
    bakes.filter((_, i) => i % options.lanes === lane),
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
  work: readonly BenchBake[],
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
      for (const { index, family, timeline } of work) {
        sim.pushTimeline(launchTimeline(timeline, policy.script));
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
        const seenMs = result.seenAt !== undefined ? result.seenAt - start : wallMs;
        const awsMs = policy.awsPathMs(timeline, world.timings);
        const sample: BakeSample = {
          index,
          family,
          ok: result.ok,
          ...(result.message && !result.ok ? { message: result.message } : {}),
          seenMs: Math.round(seenMs),
          awsMs,
          overheadMs: Math.round(seenMs - awsMs),
          cleanupMs: Math.round(wallMs - seenMs),
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
