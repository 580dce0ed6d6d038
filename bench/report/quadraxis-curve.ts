import { IMAGE_LOOKS, type ImageLooks } from '../../src/main/services/bake/image-schedule';
import { BUILDER_LOOKS, type BuilderLooks } from '../../src/main/services/bake/schedules';
import type { BenchBake } from '../lib/bakes';
import { replaySchedules, type ReplayResult } from '../lib/schedule-replay';
import { median, p95, sum } from '../lib/stats';
import type { BakeSample } from '../parts/overhead';
import { ALL, FAMILY_KEYS, type FamilyKey } from './summary';

/** Every gap of Quadraxis's schedules multiplied by these: its own curve, sparser looks to the right. */
export const CURVE_SCALES = [0.75, 1, 1.5, 2, 3, 4] as const;
const TICK_MS = 2_000;

export interface CurveCell {
  medianS: number;
  p95S: number;
  callsPerBake: number;
}

export interface QuadraxisCurve {
  /** Bakes whose replay at the shipped settings matched the engine's overhead and wait calls exactly. */
  agreement: { bakes: number; exact: number };
  /** The calls a bake makes besides waiting (preflight, launch, console, CreateImage, terminate), mean. */
  otherCalls: number;
  points: { scale: number; byFamily: Record<FamilyKey, CurveCell> }[];
}

function scaled<T extends Record<string, number>>(looks: T, scale: number): T {
  return Object.fromEntries(
    Object.entries(looks).map(([k, v]) => [k, k.endsWith('Ticks') ? v * scale : v]),
  ) as T;
}

const waitCalls = (r: ReplayResult) => r.calls.instance + r.calls.snapshots + r.calls.image;

/**
 * Quadraxis at settings it does not ship: every tick count of its look schedules scaled, replayed on the
 * same bakes (bench/lib/schedule-replay.ts, no SDK and no Sandbox). The replay at scale 1 is checked bake by
 * bake against the engine's own figures, so the curve is the engine's, not a model's.
 */
export function quadraxisCurve(
  bakes: readonly BenchBake[],
  engine: readonly BakeSample[],
  timings: { bootMs: number; shutdownDelayMs: number },
): QuadraxisCurve {
  const byIndex = new Map(engine.map((s) => [s.index, s]));
  const replay = (scale: number) =>
    bakes.map((b) => ({
      bake: b,
      result: replaySchedules(b.timeline, {
        tickMs: TICK_MS,
        ...timings,
        builder: scaled<BuilderLooks>(BUILDER_LOOKS, scale),
        image: scaled<ImageLooks>(IMAGE_LOOKS, scale),
      }),
    }));
  const shipped = replay(1);
  let exact = 0;
  const other: number[] = [];
  for (const { bake, result } of shipped) {
    const s = byIndex.get(bake.index);
    if (!s) continue;
    const total = sum(Object.values(s.calls));
    const engineWait = (s.calls.DescribeInstances ?? 0) + (s.calls.DescribeSnapshots ?? 0);
    // The engine's DescribeImages include its two preflight lookups; the rest are the waits'.
    other.push(total - waitCalls(result));
    if (
      s.overheadMs === result.overheadMs &&
      engineWait + (s.calls.DescribeImages ?? 0) - 2 === waitCalls(result)
    )
      exact++;
  }
  const otherCalls = other.length > 0 ? sum(other) / other.length : 0;
  const points = CURVE_SCALES.map((scale) => {
    const runs = scale === 1 ? shipped : replay(scale);
    const byFamily = Object.fromEntries(
      FAMILY_KEYS.map((f) => {
        const list = runs.filter((r) => f === ALL || r.bake.family === f).map((r) => r.result);
        const overhead = list.map((r) => r.overheadMs);
        return [
          f,
          {
            medianS: Math.round(median(overhead) / 100) / 10,
            p95S: Math.round(p95(overhead) / 100) / 10,
            callsPerBake: Math.round((sum(list.map(waitCalls)) / list.length + otherCalls) * 10) / 10,
          },
        ];
      }),
    ) as Record<FamilyKey, CurveCell>;
    return { scale, byFamily };
  });
  return { agreement: { bakes: byIndex.size, exact }, otherCalls: Math.round(otherCalls * 10) / 10, points };
}
