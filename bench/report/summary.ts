import { mean, median, p95, sum } from '../lib/stats';
import type { BenchTimeline } from '../lib/timelines';
import type { BakeSample } from '../parts/overhead';
import type { Policy, PolicyId } from '../policies/types';

export interface Spread {
  median: number;
  p95: number;
}

export interface PolicySummary {
  policy: PolicyId;
  label: string;
  summary: string;
  bakes: number;
  failed: number;
  failures: string[];
  wallMs: Spread;
  awsMs: Spread;
  overheadMs: Spread;
  callsPerBake: Spread & { mean: number };
  /** Mean per bake. */
  callsByAction: Record<string, number>;
  premature: number;
  /** Against Quadraxis in the same run (policy ÷ Quadraxis). */
  vsQuadraxis: { overheadMedian: number; overheadP95: number; callsMean: number } | null;
}

const spread = (values: number[]): Spread => ({ median: median(values), p95: p95(values) });
const round1 = (n: number) => Math.round(n * 10) / 10;

export function summarizePolicy(
  policy: Policy,
  samples: readonly BakeSample[],
): Omit<PolicySummary, 'vsQuadraxis'> {
  const ok = samples.filter((s) => s.ok);
  const totals = samples.map((s) => sum(Object.values(s.calls)));
  const actions = [...new Set(samples.flatMap((s) => Object.keys(s.calls)))].sort();
  return {
    policy: policy.id,
    label: policy.label,
    summary: policy.summary,
    bakes: samples.length,
    failed: samples.length - ok.length,
    failures: samples
      .filter((s) => !s.ok)
      .map((s) => `#${s.index}: ${s.message ?? 'failed'}`)
      .slice(0, 5),
    wallMs: spread(ok.map((s) => s.wallMs)),
    awsMs: spread(ok.map((s) => s.awsMs)),
    overheadMs: spread(ok.map((s) => s.overheadMs)),
    callsPerBake: { mean: round1(mean(totals)), ...spread(totals) },
    callsByAction: Object.fromEntries(
      actions.map((a) => [a, round1(sum(samples.map((s) => s.calls[a] ?? 0)) / samples.length)]),
    ),
    premature: samples.filter((s) => s.premature === true).length,
  };
}

export function withRatios(summaries: Omit<PolicySummary, 'vsQuadraxis'>[]): PolicySummary[] {
  const q = summaries.find((s) => s.policy === 'quadraxis');
  const ratio = (a: number, b: number | undefined) => (b ? a / b : Number.NaN);
  return summaries.map((s) => ({
    ...s,
    vsQuadraxis: q
      ? {
          overheadMedian: ratio(s.overheadMs.median, q.overheadMs.median),
          overheadP95: ratio(s.overheadMs.p95, q.overheadMs.p95),
          callsMean: ratio(s.callsPerBake.mean, q.callsPerBake.mean),
        }
      : null,
  }));
}

/**
 * Where Quadraxis's overhead goes, bake by bake, from its own step timings and the timeline. Lag in seeing
 * "running" or the script's poweroff costs nothing by itself (EC2 carries on regardless); what a bake pays
 * is the time from "stopped" to CreateImage, from "available" to noticing it, and the steps around them.
 * The four parts add up to the bake's overhead.
 */
export interface OverheadBreakdown {
  /** preflight + launch (virtual time only moves if the rate limiter made them wait). */
  beforeLaunchMs: Spread;
  /** stopped → CreateImage sent: the shared poller's lag on "stopped" (and on the poweroff before it). */
  stoppedToCreateImageMs: Spread;
  /** available → seen: the poller's lag on the image. */
  imageSeenLagMs: Spread;
  /** terminate + record + anything between steps. */
  afterImageMs: Spread;
}

export function quadraxisBreakdown(
  samples: readonly BakeSample[],
  timelines: readonly BenchTimeline[],
  timings: { bootMs: number; shutdownDelayMs: number },
): OverheadBreakdown {
  const before: number[] = [];
  const stopped: number[] = [];
  const image: number[] = [];
  const after: number[] = [];
  for (const s of samples) {
    const t = timelines[s.index];
    const steps = s.stepsMs;
    if (!s.ok || !t || !steps) continue;
    const d = (step: string) => steps[step] ?? 0;
    const untilStopped =
      t.runningAfterMs + timings.bootMs + t.scriptMs + timings.shutdownDelayMs + t.stoppingMs;
    const beforeLaunch = d('preflight') + d('launch');
    const stoppedLag = d('wait-running') + d('run-script') + d('stop') + d('create-image') - untilStopped;
    before.push(beforeLaunch);
    stopped.push(stoppedLag);
    image.push(d('wait-image') - t.imageMs);
    after.push(s.wallMs - (beforeLaunch + untilStopped + stoppedLag + d('wait-image')));
  }
  return {
    beforeLaunchMs: spread(before),
    stoppedToCreateImageMs: spread(stopped),
    imageSeenLagMs: spread(image),
    afterImageMs: spread(after),
  };
}
