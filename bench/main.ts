import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { provenance, type Provenance } from './lib/provenance';
import { median, p95 } from './lib/stats';
import { drawTimelines, TIMELINE_DISTRIBUTIONS, type BenchTimeline } from './lib/timelines';
import { BENCH_TIMINGS } from './lib/world';
import { measurePolicy, type BakeSample } from './parts/overhead';
import { measureScale, type ScaleRow } from './parts/scale';
import { POLICIES, policyById } from './policies';
import { renderMarkdown, headline } from './report/markdown';
import type { BakeRow, OverheadResults, ScaleResults, WindowResults } from './report/results';
import { quadraxisBreakdown, summarizePolicy, withRatios } from './report/summary';

/**
 * The benchmark's one executable (bundled by bench/run.mjs, which runs its jobs as separate processes):
 *   overhead --policy ID --shard I --shards N --lanes L   one policy over its share of the timelines
 *   scale --bakes N                                       N concurrent Quadraxis bakes
 *   window                                                the renderer in Chromium
 *   provenance                                            the machine and the moment, before anything runs
 *   report --partials DIR --root DIR                      results/*.json and BENCHMARKS.md
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    policy: { type: 'string' },
    shard: { type: 'string', default: '0' },
    shards: { type: 'string', default: '1' },
    lanes: { type: 'string', default: '1' },
    timelines: { type: 'string', default: '200' },
    seed: { type: 'string', default: '20260105' },
    bakes: { type: 'string' },
    out: { type: 'string' },
    partials: { type: 'string' },
    root: { type: 'string' },
  },
});

const seed = Number(values.seed);
const count = Number(values.timelines);

function write(file: string | undefined, data: unknown): void {
  if (!file) throw new Error('--out is required');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

function read<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

interface OverheadPartial {
  policy: string;
  samples: BakeSample[];
  realMs: number;
}

async function overhead(): Promise<void> {
  const policy = policyById(values.policy ?? '');
  const shard = Number(values.shard);
  const shards = Number(values.shards);
  const mine = drawTimelines(count, seed)
    .map((timeline, index) => ({ index, timeline }))
    .filter(({ index }) => index % shards === shard);
  const started = performance.now();
  let done = 0;
  const samples = await measurePolicy(policy, mine, {
    seed,
    lanes: Number(values.lanes),
    onBake: () => {
      if (++done % 25 === 0 || done === mine.length)
        say(`${policy.id} [${shard + 1}/${shards}]: ${done}/${mine.length} bakes`);
    },
  });
  write(values.out, { policy: policy.id, samples, realMs: Math.round(performance.now() - started) });
}

function bakeRow(s: BakeSample): BakeRow {
  return {
    index: s.index,
    ok: s.ok,
    wallMs: s.wallMs,
    awsMs: s.awsMs,
    overheadMs: s.overheadMs,
    calls: Object.values(s.calls).reduce((a, b) => a + b, 0),
    premature: s.premature,
    ...(s.stepsMs ? { stepsMs: s.stepsMs } : {}),
  };
}

function timelineStats(timelines: BenchTimeline[]): OverheadResults['config']['timelineStats'] {
  const keys = Object.keys(timelines[0] ?? {}) as (keyof BenchTimeline)[];
  return Object.fromEntries(
    keys.map((k) => [
      k,
      { median: median(timelines.map((t) => t[k])), p95: p95(timelines.map((t) => t[k])) },
    ]),
  ) as OverheadResults['config']['timelineStats'];
}

function report(): void {
  const dir = values.partials ?? '';
  const root = values.root ?? '';
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const run = read<Provenance>(join(dir, 'provenance.json'));
  const timelines = drawTimelines(count, seed);

  const partials = files
    .filter((f) => f.startsWith('overhead-'))
    .map((f) => read<OverheadPartial>(join(dir, f)));
  const summaries = POLICIES.flatMap((policy) => {
    const parts = partials.filter((p) => p.policy === policy.id);
    if (parts.length === 0) return [];
    const samples = parts.flatMap((p) => p.samples).sort((a, b) => a.index - b.index);
    return [{ policy, samples, realMs: parts.reduce((a, p) => a + p.realMs, 0) }];
  });
  const quadraxisSamples = summaries.find((s) => s.policy.id === 'quadraxis')?.samples ?? [];
  const timings = { bootMs: BENCH_TIMINGS.bootMs ?? 0, shutdownDelayMs: BENCH_TIMINGS.shutdownDelayMs ?? 0 };
  const overheadResults: OverheadResults = {
    provenance: run,
    config: {
      seed,
      timelines: count,
      distributions: TIMELINE_DISTRIBUTIONS,
      fixed: timings,
      timelineStats: timelineStats(timelines),
    },
    policies: withRatios(summaries.map((s) => summarizePolicy(s.policy, s.samples))),
    quadraxisBreakdown: quadraxisBreakdown(quadraxisSamples, timelines, timings),
    bakes: Object.fromEntries(summaries.map((s) => [s.policy.id, s.samples.map(bakeRow)])),
    realMs: Object.fromEntries(summaries.map((s) => [s.policy.id, s.realMs])),
  };
  const scaleRows = files
    .filter((f) => f.startsWith('scale-'))
    .map((f) => read<ScaleRow>(join(dir, f)))
    .sort((a, b) => a.bakes - b.bakes);
  const scaleResults: ScaleResults = { provenance: run, seed, rows: scaleRows };
  const windowFile = files.find((f) => f === 'window.json');
  const windowResults: WindowResults = {
    provenance: run,
    window: windowFile ? read(join(dir, windowFile)) : { error: 'the window job did not finish' },
  };
  write(join(root, 'bench/results/overhead.json'), overheadResults);
  write(join(root, 'bench/results/scale.json'), scaleResults);
  write(join(root, 'bench/results/window.json'), windowResults);
  writeFileSync(join(root, 'BENCHMARKS.md'), renderMarkdown(overheadResults, scaleResults, windowResults));
  say(`\n${headline(overheadResults, scaleResults)}`);
}

async function main(): Promise<void> {
  const [command] = positionals;
  switch (command) {
    case 'overhead':
      return overhead();
    case 'scale':
      return write(values.out, await measureScale(Number(values.bakes), seed));
    case 'window': {
      // Loaded only here: the e2e bridge reads the built renderer as it loads.
      const { measureWindow } = await import('./parts/window');
      return write(values.out, await measureWindow());
    }
    case 'provenance':
      return write(values.out, provenance('npm run bench'));
    case 'report':
      return report();
    default:
      throw new Error(`unknown command ${command ?? '(none)'}`);
  }
}

main().then(
  // Sockets the SDK keeps alive must not hold the process open once the work is written.
  () => process.exit(0),
  (error: unknown) => {
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
