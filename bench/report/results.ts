import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchBakes } from '../lib/bakes';
import type { Provenance } from '../lib/provenance';
import type { BakeSample } from '../parts/overhead';
import type { ScaleRow } from '../parts/scale';
import type { WindowResult } from '../parts/window';
import { POLICIES, SDK_DEFAULT_ID } from '../policies';
import { renderChart } from './chart';
import { checkAgainstCurve } from './curve';
import { quadraxisCurve, type QuadraxisCurve } from './quadraxis-curve';
import { renderMarkdown } from './markdown';
import { readmeParagraph, replaceReadmeSection } from './readme';
import {
  cleanupCells,
  familyDescriptions,
  FAMILY_KEYS,
  overheadCells,
  policyInfo,
  quadraxisParts,
  runSpread,
  seenCells,
  type FamilyKey,
  type ResourceSummary,
  type Summary,
  type Targets,
  type WindowSummary,
} from './summary';

export const CHART_FILE = 'bench/results/overhead-vs-calls.svg';

/** The targets the benchmark checks (issue 13). */
export const TARGETS = {
  overhead: { median: 10, p95: 30 },
  window: { firstLoadGzipKb: 250, projectsPaintedMs: 300 },
} as const;

export interface OverheadPartial {
  policy: string;
  samples: BakeSample[];
  realMs: number;
}

/** What the jobs wrote, read back by the report. */
export interface Partials {
  provenance: Provenance;
  overhead: OverheadPartial[];
  scale: ScaleRow[];
  /** The same bakes-at-once run, repeated for the spread of its real figures. */
  resources: ScaleRow[];
  window: WindowResult | undefined;
}

export interface Results {
  summary: Summary;
  /** Every bake, by policy: what the tables are computed from (bench/results/overhead.json). */
  bakes: Record<string, BakeSample[]>;
  scale: { provenance: Provenance; rows: ScaleRow[] };
  window: { provenance: Provenance; window: WindowResult | { error: string } };
  chart: string;
  markdown: string;
  readme: string;
}

export function buildResults(
  partials: Partials,
  config: {
    seed: number;
    perFamily: number;
    timings: { bootMs: number; shutdownDelayMs: number };
    runSeconds: number;
  },
): Results {
  const samplesBy = new Map<string, BakeSample[]>();
  for (const p of partials.overhead)
    samplesBy.set(p.policy, [...(samplesBy.get(p.policy) ?? []), ...p.samples]);
  const measured = POLICIES.filter((p) => samplesBy.has(p.id));
  const sorted = (id: string) => [...(samplesBy.get(id) ?? [])].sort((a, b) => a.index - b.index);
  const perPolicy = <T>(cell: (samples: BakeSample[]) => T) =>
    Object.fromEntries(measured.map((p) => [p.id, cell(sorted(p.id))]));

  const overhead = perPolicy(overheadCells);
  const bakes = benchBakes(config.seed, config.perFamily);
  const curve = samplesBy.has('quadraxis')
    ? quadraxisCurve(bakes, sorted('quadraxis'), config.timings)
    : null;
  const summary: Summary = {
    generatedBy: 'npm run bench (bench/run.mjs); do not edit',
    provenance: partials.provenance,
    config: { seed: config.seed, perFamily: config.perFamily, families: familyDescriptions() },
    policies: Object.fromEntries(measured.map((p) => [p.id, policyInfo(p, sorted(p.id))])),
    overhead,
    seen: perPolicy(seenCells),
    cleanup: perPolicy(cleanupCells),
    quadraxisParts: quadraxisParts(sorted('quadraxis'), bakes, config.timings),
    quadraxisCurve: curve,
    targets: targets(overhead, curve),
    window: partials.window ? windowSummary(partials.window) : { error: 'the window job did not finish' },
    resources: resourceSummary(partials.resources),
    runSeconds: Math.round(config.runSeconds),
  };
  if (!('error' in summary.window)) summary.targets.window = windowTargets(summary.window);
  const scale = {
    provenance: partials.provenance,
    rows: [...partials.scale].sort((a, b) => a.bakes - b.bakes),
  };
  return {
    summary,
    bakes: Object.fromEntries(measured.map((p) => [p.id, sorted(p.id)])),
    scale,
    window: {
      provenance: partials.provenance,
      window: partials.window ?? { error: 'the window job did not finish' },
    },
    chart: renderChart(summary),
    markdown: renderMarkdown(summary, scale.rows),
    readme: readmeParagraph(summary),
  };
}

function targets(overhead: Summary['overhead'], curve: QuadraxisCurve | null): Targets {
  const q = overhead.quadraxis;
  const sdk = overhead[SDK_DEFAULT_ID];
  const families = FAMILY_KEYS;
  const limits = TARGETS.overhead;
  const overheadFailing = q
    ? families.filter((f) => q[f].medianS > limits.median || q[f].p95S > limits.p95)
    : ['quadraxis was not measured'];
  const callsFailing =
    q && sdk ? families.filter((f) => q[f].callsPerBake > sdk[f].callsPerBake) : ['not measured'];
  const curveIds = Object.keys(overhead).filter((id) => id.startsWith('sdk-v3-'));
  const byFamily = Object.fromEntries(
    families.map((f) => [
      f,
      checkAgainstCurve(
        curveIds.map((id) => ({
          id,
          calls: overhead[id]![f].callsPerBake,
          overheadS: overhead[id]![f].medianS,
        })),
        {
          id: 'quadraxis',
          calls: q?.[f].callsPerBake ?? 0,
          overheadS: q?.[f].medianS ?? Number.POSITIVE_INFINITY,
        },
      ),
    ]),
  ) as Targets['curve']['byFamily'];
  const atDefaultCalls =
    curve && sdk
      ? (Object.fromEntries(
          families.map((f) => {
            const own = curve.points.map((p) => ({
              id: `×${p.scale}`,
              calls: p.byFamily[f].callsPerBake,
              overheadS: p.byFamily[f].medianS,
            }));
            const at = checkAgainstCurve(own, { id: 'sdk', calls: sdk[f].callsPerBake, overheadS: 0 });
            return [f, { calls: sdk[f].callsPerBake, quadraxisS: at.curveS, sdkS: sdk[f].medianS }];
          }),
        ) as Targets['atDefaultCalls'])
      : null;
  const anchorsAhead = q
    ? Object.keys(overhead)
        .filter((id) => (id !== 'quadraxis' && !id.startsWith('sdk-v3-')) || id === SDK_DEFAULT_ID)
        .flatMap((id) =>
          families
            .filter((f) => overhead[id]![f].medianS < q[f].medianS)
            .map((f) => ({
              id,
              family: f,
              medianS: overhead[id]![f].medianS,
              calls: overhead[id]![f].callsPerBake,
            })),
        )
    : [];
  return {
    overhead: { pass: overheadFailing.length === 0, limitsS: { ...limits }, failing: overheadFailing },
    calls: { pass: callsFailing.length === 0, failing: callsFailing },
    curve: { pass: Object.values(byFamily).every((c) => c.below), byFamily },
    anchorsAhead,
    atDefaultCalls,
  };
}

function windowSummary(w: WindowResult): WindowSummary {
  const loads = w.loads;
  const editor = loads.map((l) => l.editorReadyMs).filter((v): v is number => v !== null);
  return {
    coldLoads: loads.length,
    projectsPaintedMs: runSpread(loads.map((l) => l.projectsPaintedMs)),
    editorReadyMs: editor.length === loads.length ? runSpread(editor) : null,
    firstContentfulPaintMs: runSpread(loads.map((l) => l.firstContentfulPaintMs ?? Number.NaN)),
    firstLoadJs: w.firstLoadJs,
    consoleLines: w.console[0]?.lines ?? 0,
    consoleLongestTaskMs: runSpread(w.console.map((c) => c.longestTaskMs)),
    consoleRunsWithoutLongTask: w.console.filter((c) => c.longestTaskMs === 0).length,
    consoleAppendMs: runSpread(w.console.map((c) => c.appendMs)),
  };
}

function windowTargets(w: WindowSummary): NonNullable<Targets['window']> {
  const gzipKb = Math.round((w.firstLoadJs.gzipBytes / 1024) * 10) / 10;
  const t = TARGETS.window;
  return {
    firstLoadGzipKb: { value: gzipKb, limit: t.firstLoadGzipKb, pass: gzipKb <= t.firstLoadGzipKb },
    projectsPaintedMs: {
      value: w.projectsPaintedMs.median,
      limit: t.projectsPaintedMs,
      pass: w.projectsPaintedMs.median <= t.projectsPaintedMs,
    },
    consoleRunsWithoutLongTask: {
      value: w.consoleRunsWithoutLongTask,
      runs: w.consoleLongestTaskMs.runs,
      pass: w.consoleLongestTaskMs.runs >= 5 && w.consoleRunsWithoutLongTask === w.consoleLongestTaskMs.runs,
    },
  };
}

function resourceSummary(rows: ScaleRow[]): ResourceSummary | { error: string } {
  const first = rows[0];
  if (!first) return { error: 'the repeated bakes-at-once runs did not finish' };
  const oneDecimal = (v: number) => Math.round(v * 10) / 10;
  return {
    bakesAtOnce: first.bakes,
    cpuMsPerBake: runSpread(rows.map((r) => (r.cpuMs.total - r.cpuMs.sandboxHandling) / r.bakes)),
    rssMbPerBake: runSpread(
      rows.map((r) => (r.rssMb.peak - r.rssMb.before) / r.bakes),
      oneDecimal,
    ),
    peakRssMb: runSpread(rows.map((r) => r.rssMb.peak)),
  };
}

export function writeResults(root: string, r: Results): void {
  const json = (file: string, data: unknown) =>
    writeFileSync(join(root, file), `${JSON.stringify(data, null, 2)}\n`);
  json('bench/results/summary.json', r.summary);
  // One bake a line: thousands of them stay readable in a diff.
  const rows = Object.entries(r.bakes).map(
    ([id, bakes]) =>
      `  ${JSON.stringify(id)}: [\n${bakes.map((b) => `    ${JSON.stringify(b)}`).join(',\n')}\n  ]`,
  );
  writeFileSync(join(root, 'bench/results/overhead.json'), `{\n${rows.join(',\n')}\n}\n`);
  json('bench/results/scale.json', r.scale);
  json('bench/results/window.json', r.window);
  writeFileSync(join(root, CHART_FILE), r.chart);
  writeFileSync(join(root, 'BENCHMARKS.md'), r.markdown);
  const readme = join(root, 'README.md');
  writeFileSync(readme, replaceReadmeSection(readFileSync(readme, 'utf8'), r.readme));
}

export type { FamilyKey };
