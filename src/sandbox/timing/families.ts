import type { ProgressCurve } from './progress';
import type { Random } from './random';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * The timeline families: every bake draws the same kinds of durations (below); a family fixes how its
 * snapshot's progress grows and whether the image turns available after the snapshot reports 100 % (EC2
 * registers it 0–60 s later) or before (the progress figure trails the image).
 */
export const TIMELINE_FAMILIES = [
  'linear',
  'convex-1.3',
  'convex-1.5',
  'concave',
  'stalled-jump',
  'available-first',
] as const;
export type TimelineFamily = (typeof TIMELINE_FAMILIES)[number];

export interface FamilySpec {
  id: TimelineFamily;
  /** One line for tables. */
  description: string;
  /** Whether the image turns available before its snapshot reports 100 % (else 0–60 s after). */
  availableFirst: boolean;
  curve(rng: Random): ProgressCurve;
}

const power = (exponent: number): ProgressCurve => ({ kind: 'power', exponent });

export const FAMILIES: Record<TimelineFamily, FamilySpec> = {
  linear: {
    id: 'linear',
    description: 'progress ∝ t; available 0–60 s after 100 %',
    availableFirst: false,
    curve: () => power(1),
  },
  'convex-1.3': {
    id: 'convex-1.3',
    description: 'progress ∝ t^1.3 (slow start, fast end); available 0–60 s after 100 %',
    availableFirst: false,
    curve: () => power(1.3),
  },
  'convex-1.5': {
    id: 'convex-1.5',
    description: 'progress ∝ t^1.5; available 0–60 s after 100 %',
    availableFirst: false,
    curve: () => power(1.5),
  },
  concave: {
    id: 'concave',
    description: 'progress ∝ t^0.6 (fast start, slow end); available 0–60 s after 100 %',
    availableFirst: false,
    curve: () => power(0.6),
  },
  'stalled-jump': {
    id: 'stalled-jump',
    description:
      'half stuck at 0 % until done, half at 0 % for 30–90 % of the time then a jump to 30–95 %; available 0–60 s after 100 %',
    availableFirst: false,
    curve: (rng) =>
      rng.next() < 0.5
        ? { kind: 'stalled', until: 1, jumpTo: 100 }
        : { kind: 'stalled', until: rng.uniform(0.3, 0.9), jumpTo: Math.round(rng.uniform(30, 95)) },
  },
  'available-first': {
    id: 'available-first',
    description: 'progress ∝ t; the image is available 0–60 s before the snapshot reports 100 %',
    availableFirst: true,
    curve: () => power(1),
  },
};

interface LogNormal {
  kind: 'log-normal';
  median: number;
  sigma: number;
  min: number;
  max: number;
}
interface LogUniform {
  kind: 'log-uniform';
  min: number;
  max: number;
}
interface Uniform {
  kind: 'uniform';
  min: number;
  max: number;
}
export type Distribution = LogNormal | LogUniform | Uniform;

/**
 * What every bake draws, in every family (ms). Wide on purpose: EC2's usual figures in the middle, its fast
 * and slow tails at the ends — a builder running after 6 s or 3 min, a stop of 4 s or 3 min.
 * - running: log-normal around 20 s;
 * - the init script: log-normal around 3 min (most install a few packages, a few build something big);
 * - stopping → stopped: log-normal around 20 s (5 % under 6 s, 5 % over 70 s);
 * - the snapshot: log-uniform 2–20 min (an 8 GB root volume to a large, fresh one);
 * - the lag between the snapshot's 100 % and `available` (or the other way round): uniform 0–60 s;
 * - terminating: log-normal around 40 s.
 */
export const BAKE_DISTRIBUTIONS = {
  runningAfterMs: { kind: 'log-normal', median: 20 * SECOND, sigma: 0.6, min: 6 * SECOND, max: 3 * MINUTE },
  scriptMs: { kind: 'log-normal', median: 3 * MINUTE, sigma: 1, min: 30 * SECOND, max: 20 * MINUTE },
  stoppingMs: { kind: 'log-normal', median: 20 * SECOND, sigma: 0.8, min: 4 * SECOND, max: 3 * MINUTE },
  snapshotMs: { kind: 'log-uniform', min: 2 * MINUTE, max: 20 * MINUTE },
  availableLagMs: { kind: 'uniform', min: 0, max: 60 * SECOND },
  terminateMs: { kind: 'log-normal', median: 40 * SECOND, sigma: 0.4, min: 15 * SECOND, max: 3 * MINUTE },
} as const satisfies Record<string, Distribution>;

export function draw(rng: Random, d: Distribution): number {
  const clip = (v: number) => Math.min(d.max, Math.max(d.min, v));
  switch (d.kind) {
    case 'log-normal':
      return Math.round(clip(Math.exp(Math.log(d.median) + d.sigma * rng.normal())));
    case 'log-uniform':
      return Math.round(Math.exp(rng.uniform(Math.log(d.min), Math.log(d.max))));
    case 'uniform':
      return Math.round(rng.uniform(d.min, d.max));
  }
}
