import type { Provenance } from '../lib/provenance';
import type { BenchTimeline, TIMELINE_DISTRIBUTIONS } from '../lib/timelines';
import type { ScaleRow } from '../parts/scale';
import type { WindowResult } from '../parts/window';
import type { OverheadBreakdown, PolicySummary } from './summary';

/** bench/results/overhead.json */
export interface OverheadResults {
  provenance: Provenance;
  config: {
    seed: number;
    timelines: number;
    distributions: typeof TIMELINE_DISTRIBUTIONS;
    fixed: { bootMs: number; shutdownDelayMs: number };
    timelineStats: Record<keyof BenchTimeline, { median: number; p95: number }>;
  };
  policies: PolicySummary[];
  quadraxisBreakdown: OverheadBreakdown;
  /** Every bake, by policy: what the tables are computed from. */
  bakes: Record<string, BakeRow[]>;
  realMs: Record<string, number>;
}

export interface BakeRow {
  index: number;
  ok: boolean;
  wallMs: number;
  awsMs: number;
  overheadMs: number;
  calls: number;
  premature: boolean | null;
  /** Quadraxis only: its bake record's step durations. */
  stepsMs?: Record<string, number>;
}

/** bench/results/scale.json */
export interface ScaleResults {
  provenance: Provenance;
  seed: number;
  rows: ScaleRow[];
}

/** bench/results/window.json */
export interface WindowResults {
  provenance: Provenance;
  window: WindowResult | { error: string };
}
