import { drawTimelines, TIMELINE_FAMILIES, type BakeTimeline, type TimelineFamily } from '../../src/sandbox';

/** One bake of the benchmark: its place in the run, its family and what AWS does for it. */
export interface BenchBake {
  index: number;
  family: TimelineFamily;
  timeline: BakeTimeline;
}

/**
 * Every bake the overhead part plays, `perFamily` of each family, drawn by the Sandbox's generator from
 * `seed` (the tests draw from the same generator). Family by family, so bake i of a family keeps its index
 * whatever the other families hold.
 */
export function benchBakes(seed: number, perFamily: number): BenchBake[] {
  return TIMELINE_FAMILIES.flatMap((family, f) =>
    drawTimelines({ seed, family, count: perFamily }).map((timeline, i) => ({
      index: f * perFamily + i,
      family,
      timeline,
    })),
  );
}

/** `count` bakes for bakes at once: the families in turn, each bake its own draw. */
export function mixedBakes(seed: number, count: number): BenchBake[] {
  const perFamily = Math.ceil(count / TIMELINE_FAMILIES.length);
  const byFamily = TIMELINE_FAMILIES.map((family) => drawTimelines({ seed, family, count: perFamily }));
  return Array.from({ length: count }, (_, index) => {
    const f = index % TIMELINE_FAMILIES.length;
    return {
      index,
      family: TIMELINE_FAMILIES[f]!,
      timeline: byFamily[f]![Math.floor(index / TIMELINE_FAMILIES.length)]!,
    };
  });
}
