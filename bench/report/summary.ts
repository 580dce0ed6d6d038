import { FAMILIES, TIMELINE_FAMILIES, type TimelineFamily } from '../../src/sandbox';
import type { BenchBake } from '../lib/bakes';
import type { Provenance } from '../lib/provenance';
import { median, p95, sum } from '../lib/stats';
import type { BakeSample } from '../parts/overhead';
import type { Policy, PolicyGroup } from '../policies/types';
import type { CurveCheck } from './curve';
import type { QuadraxisCurve } from './quadraxis-curve';

/** The pooled figures of every family, next to each family's own. */
export const ALL = 'all';
export type FamilyKey = TimelineFamily | typeof ALL;
export const FAMILY_KEYS: readonly FamilyKey[] = [...TIMELINE_FAMILIES, ALL];

/** `overhead.<policy>.<family>` in summary.json. */
export interface OverheadCell {
  medianS: number;
  p95S: number;
  callsPerBake: number;
  /** Images taken before the init script had finished. */
  premature: number;
}

export interface SpreadS {
  medianS: number;
  p95S: number;
}

/** A real-time figure over several runs. */
export interface RunSpread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface PolicyInfo {
  label: string;
  group: PolicyGroup;
  summary: string;
  prematureReason: string;
  bakes: number;
  failed: number;
  failures: string[];
  /** Mean per bake, all families. */
  callsByAction: Record<string, number>;
}

export interface Targets {
  /** Quadraxis's median ≤ 10 s and p95 ≤ 30 s on every family. */
  overhead: { pass: boolean; limitsS: { median: number; p95: number }; failing: string[] };
  /** Quadraxis's calls per bake ≤ the SDK-v3 default waiters', on every family. */
  calls: { pass: boolean; failing: string[] };
  /** Quadraxis on or below the tuned-waiter curve, on every family. */
  curve: { pass: boolean; byFamily: Record<FamilyKey, CurveCheck> };
  /** Anchors with less median overhead than Quadraxis, by family, and how many calls they spent for it. */
  anchorsAhead: { id: string; family: FamilyKey; medianS: number; calls: number }[];
  /** Quadraxis's own curve at the SDK default waiters' calls: its overhead had it spent only those. */
  atDefaultCalls: Record<FamilyKey, { calls: number; quadraxisS: number | null; sdkS: number }> | null;
  window?: WindowTargets;
}

export interface WindowTargets {
  firstLoadGzipKb: { value: number; limit: number; pass: boolean };
  projectsPaintedMs: { value: number; limit: number; pass: boolean };
  consoleRunsWithoutLongTask: { value: number; runs: number; pass: boolean };
}

export interface Summary {
  generatedBy: string;
  provenance: Provenance;
  config: {
    seed: number;
    perFamily: number;
    families: Record<TimelineFamily, string>;
  };
  policies: Record<string, PolicyInfo>;
  overhead: Record<string, Record<FamilyKey, OverheadCell>>;
  /** From the start until the image was seen available. */
  seen: Record<string, Record<FamilyKey, SpreadS>>;
  /** From seeing the image until the policy was done (terminating the builder, waiting for that). */
  cleanup: Record<string, Record<FamilyKey, SpreadS>>;
  /** Quadraxis's overhead, split: seeing "stopped" late, and seeing "available" late. */
  quadraxisParts: Record<FamilyKey, { stopLag: SpreadS; imageLag: SpreadS }>;
  /** Quadraxis's schedules at other settings (every gap scaled), replayed on the same bakes. */
  quadraxisCurve: QuadraxisCurve | null;
  targets: Targets;
  window: WindowSummary | { error: string };
  resources: ResourceSummary | { error: string };
  /** How long `npm run bench` took, wall clock. */
  runSeconds: number;
}

export interface WindowSummary {
  coldLoads: number;
  projectsPaintedMs: RunSpread;
  editorReadyMs: RunSpread | null;
  firstContentfulPaintMs: RunSpread;
  firstLoadJs: { files: number; bytes: number; gzipBytes: number };
  consoleLines: number;
  consoleLongestTaskMs: RunSpread;
  consoleRunsWithoutLongTask: number;
  consoleAppendMs: RunSpread;
}

export interface ResourceSummary {
  bakesAtOnce: number;
  cpuMsPerBake: RunSpread;
  rssMbPerBake: RunSpread;
  peakRssMb: RunSpread;
}

const s1 = (ms: number) => Math.round(ms / 100) / 10;
const round1 = (n: number) => Math.round(n * 10) / 10;
const spreadS = (values: number[]): SpreadS => ({ medianS: s1(median(values)), p95S: s1(p95(values)) });

export function runSpread(values: number[], round: (n: number) => number = Math.round): RunSpread {
  return {
    median: round(median(values)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    runs: values.length,
  };
}

function byFamily<T>(samples: readonly BakeSample[], cell: (s: BakeSample[]) => T): Record<FamilyKey, T> {
  return Object.fromEntries(
    FAMILY_KEYS.map((f) => [f, cell(f === ALL ? [...samples] : samples.filter((s) => s.family === f))]),
  ) as Record<FamilyKey, T>;
}

const totalCalls = (s: BakeSample) => sum(Object.values(s.calls));

export function overheadCells(samples: readonly BakeSample[]): Record<FamilyKey, OverheadCell> {
  return byFamily(samples, (list) => {
    const ok = list.filter((s) => s.ok);
    return {
      medianS: s1(median(ok.map((s) => s.overheadMs))),
      p95S: s1(p95(ok.map((s) => s.overheadMs))),
      callsPerBake: round1(sum(list.map(totalCalls)) / list.length),
      premature: list.filter((s) => s.premature === true).length,
    };
  });
}

export function seenCells(samples: readonly BakeSample[]): Record<FamilyKey, SpreadS> {
  return byFamily(samples, (list) => spreadS(list.filter((s) => s.ok).map((s) => s.seenMs)));
}

export function cleanupCells(samples: readonly BakeSample[]): Record<FamilyKey, SpreadS> {
  return byFamily(samples, (list) => spreadS(list.filter((s) => s.ok).map((s) => s.cleanupMs)));
}

export function policyInfo(policy: Policy, samples: readonly BakeSample[]): PolicyInfo {
  const actions = [...new Set(samples.flatMap((s) => Object.keys(s.calls)))].sort();
  const failed = samples.filter((s) => !s.ok);
  return {
    label: policy.label,
    group: policy.group,
    summary: policy.summary,
    prematureReason: policy.prematureReason,
    bakes: samples.length,
    failed: failed.length,
    failures: failed.slice(0, 5).map((s) => `#${s.index}: ${s.message ?? 'failed'}`),
    callsByAction: Object.fromEntries(
      actions.map((a) => [a, round1(sum(samples.map((s) => s.calls[a] ?? 0)) / samples.length)]),
    ),
  };
}

/**
 * Quadraxis's overhead, bake by bake, from its own step timings and the timeline: the time from "stopped"
 * to CreateImage (the lag of seeing the stop; preflight and launch take no virtual time) and from
 * "available" to the end of wait-image (the lag of seeing the image).
 */
export function quadraxisParts(
  samples: readonly BakeSample[],
  bakes: readonly BenchBake[],
  timings: { bootMs: number; shutdownDelayMs: number },
): Record<FamilyKey, { stopLag: SpreadS; imageLag: SpreadS }> {
  const byIndex = new Map(bakes.map((b) => [b.index, b.timeline]));
  const parts = samples.flatMap((s) => {
    const t = byIndex.get(s.index);
    const steps = s.stepsMs;
    if (!s.ok || !t || !steps) return [];
    const d = (step: string) => steps[step] ?? 0;
    const untilStopped =
      t.runningAfterMs + timings.bootMs + t.scriptMs + timings.shutdownDelayMs + t.stoppingMs;
    const untilCreateImage =
      d('preflight') + d('launch') + d('wait-running') + d('run-script') + d('stop') + d('create-image');
    return [{ family: s.family, stop: untilCreateImage - untilStopped, image: d('wait-image') - t.imageMs }];
  });
  return Object.fromEntries(
    FAMILY_KEYS.map((f) => {
      const list = f === ALL ? parts : parts.filter((p) => p.family === f);
      return [f, { stopLag: spreadS(list.map((p) => p.stop)), imageLag: spreadS(list.map((p) => p.image)) }];
    }),
  ) as Record<FamilyKey, { stopLag: SpreadS; imageLag: SpreadS }>;
}

export function familyDescriptions(): Record<TimelineFamily, string> {
  return Object.fromEntries(TIMELINE_FAMILIES.map((f) => [f, FAMILIES[f].description])) as Record<
    TimelineFamily,
    string
  >;
}
