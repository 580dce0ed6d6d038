import type { LaunchTimeline, ScriptOutcome } from '../scenario';
import { BAKE_DISTRIBUTIONS, draw, FAMILIES, type TimelineFamily } from './families';
import type { ProgressCurve } from './progress';
import { childSeed, seededRandom } from './random';

/** What AWS does for one bake, drawn once and played identically against every policy. */
export interface BakeTimeline {
  family: TimelineFamily;
  /** RunInstances → running. */
  runningAfterMs: number;
  /** The init script's own run time. */
  scriptMs: number;
  /** stopping → stopped. */
  stoppingMs: number;
  /** CreateImage → the snapshot reports completed (100 %). */
  snapshotMs: number;
  /** CreateImage → the image is available. */
  imageMs: number;
  /** shutting-down → terminated. */
  terminateMs: number;
  progress: ProgressCurve;
}

/**
 * Draws `count` bakes of one family from `seed`. Bake i of every family shares its running, script, stop,
 * snapshot and lag draws (the same stream, `bake/i`); only the family's own choices differ (`family/i`) — so
 * two families differ in their curve, not in their dice, and adding bakes never changes the earlier ones.
 */
export function drawTimelines(options: {
  seed: number;
  family: TimelineFamily;
  count: number;
}): BakeTimeline[] {
  const d = BAKE_DISTRIBUTIONS;
  const family = FAMILIES[options.family];
  return Array.from({ length: options.count }, (_, i) => {
    const base = seededRandom(childSeed(options.seed, `bake/${i}`));
    const own = seededRandom(childSeed(options.seed, `${family.id}/${i}`));
    const runningAfterMs = draw(base, d.runningAfterMs);
    const scriptMs = draw(base, d.scriptMs);
    const stoppingMs = draw(base, d.stoppingMs);
    const snapshotMs = draw(base, d.snapshotMs);
    const lagMs = draw(base, d.availableLagMs);
    const terminateMs = draw(base, d.terminateMs);
    return {
      family: family.id,
      runningAfterMs,
      scriptMs,
      stoppingMs,
      // Available first: the same image time, with the progress figure trailing it by the lag.
      snapshotMs: family.availableFirst ? snapshotMs + lagMs : snapshotMs,
      imageMs: snapshotMs + (family.availableFirst ? 0 : lagMs),
      terminateMs,
      progress: family.curve(own),
    };
  });
}

/** The Sandbox's timeline for one launch of this bake, its script ending as `outcome` says. */
export function launchTimeline(t: BakeTimeline, outcome: ScriptOutcome = 'succeed'): LaunchTimeline {
  return {
    runningAfterMs: t.runningAfterMs,
    scriptMs: t.scriptMs,
    stoppingMs: t.stoppingMs,
    imageMs: t.imageMs,
    snapshotMs: t.snapshotMs,
    progress: t.progress,
    terminateMs: t.terminateMs,
    outcome,
  };
}
