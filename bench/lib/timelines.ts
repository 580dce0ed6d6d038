import type { LaunchTimeline } from '../../src/sandbox';
import { seededRandom } from './random';

/** What AWS does for one bake, drawn once and played identically against every policy. */
export interface BenchTimeline {
  /** RunInstances → running. */
  runningAfterMs: number;
  /** The init script's own run time. */
  scriptMs: number;
  /** stopping → stopped. */
  stoppingMs: number;
  /** CreateImage → available. */
  imageMs: number;
  /** shutting-down → terminated. */
  terminateMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * The distributions the benchmark draws from, in one place so the report can print them:
 * running after 15–45 s; the script log-normal (median 3 min, σ 1.0) clipped to 30 s–20 min, because most
 * init scripts install a few packages and a few build something big; stop 20–60 s; image 2–15 min;
 * terminate about 30 s.
 */
export const TIMELINE_DISTRIBUTIONS = {
  runningAfterMs: { kind: 'uniform', min: 15 * SECOND, max: 45 * SECOND },
  scriptMs: { kind: 'log-normal', median: 3 * MINUTE, sigma: 1.0, min: 30 * SECOND, max: 20 * MINUTE },
  stoppingMs: { kind: 'uniform', min: 20 * SECOND, max: 60 * SECOND },
  imageMs: { kind: 'uniform', min: 2 * MINUTE, max: 15 * MINUTE },
  terminateMs: { kind: 'uniform', min: 25 * SECOND, max: 35 * SECOND },
} as const;

export function drawTimelines(count: number, seed: number): BenchTimeline[] {
  const rng = seededRandom(seed);
  const d = TIMELINE_DISTRIBUTIONS;
  const uniform = (spec: { min: number; max: number }) => Math.round(rng.uniform(spec.min, spec.max));
  return Array.from({ length: count }, () => {
    const s = d.scriptMs;
    const script = Math.exp(Math.log(s.median) + s.sigma * rng.normal());
    return {
      runningAfterMs: uniform(d.runningAfterMs),
      scriptMs: Math.round(Math.min(s.max, Math.max(s.min, script))),
      stoppingMs: uniform(d.stoppingMs),
      imageMs: uniform(d.imageMs),
      terminateMs: uniform(d.terminateMs),
    };
  });
}

/**
 * The Sandbox timeline for one launch. `powersOff` picks how the script ends: with Quadraxis's wrapper it
 * exits 0 and the machine powers itself off; a plain user-data script (the 2015 design, Packer) leaves the
 * machine running. The Sandbox can only time a script it can see the end of, so plain scripts are played
 * as a wrapped script that exits non-zero and keeps the machine up (`poweroff: false`: the version 2
 * wrapper would power it off) — which prints its done marker and stays up, exactly as a plain script does.
 * Those policies never read the console, so the exit code is invisible to them.
 */
export function sandboxTimeline(t: BenchTimeline, powersOff: boolean): LaunchTimeline {
  return {
    runningAfterMs: t.runningAfterMs,
    scriptMs: t.scriptMs,
    stoppingMs: t.stoppingMs,
    imageMs: t.imageMs,
    terminateMs: t.terminateMs,
    outcome: powersOff ? 'succeed' : { exitCode: 1, poweroff: false },
  };
}
