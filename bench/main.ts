import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchBakes } from './lib/bakes';
import { provenance } from './lib/provenance';
import { BENCH_TIMINGS } from './lib/world';
import { measurePolicy } from './parts/overhead';
import { measureScale } from './parts/scale';
import { policyById } from './policies';
import { buildResults, writeResults, type OverheadPartial, type Partials } from './report/results';

/**
 * The benchmark's one executable (bundled by bench/run.mjs, which runs its jobs as separate processes):
 *   overhead --policy ID --shard I --shards N --lanes L   one policy over its share of the bakes
 *   scale --bakes N                                       N concurrent Quadraxis bakes
 *   window                                                the renderer in Chromium
 *   provenance                                            the machine and the moment, before anything runs
 *   report --partials DIR --root DIR --run-seconds S      results/*.json, the chart, BENCHMARKS.md, README
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    policy: { type: 'string' },
    shard: { type: 'string', default: '0' },
    shards: { type: 'string', default: '1' },
    lanes: { type: 'string', default: '1' },
    'per-family': { type: 'string', default: '150' },
    seed: { type: 'string', default: '20260105' },
    bakes: { type: 'string' },
    out: { type: 'string' },
    partials: { type: 'string' },
    root: { type: 'string' },
    'run-seconds': { type: 'string', default: '0' },
  },
});

const seed = Number(values.seed);
const perFamily = Number(values['per-family']);

function write(file: string | undefined, data: unknown): void {
  if (!file) throw new Error('--out is required');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

const read = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const say = (line: string) => process.stderr.write(`${line}\n`);

async function overhead(): Promise<void> {
  const policy = policyById(values.policy ?? '');
  const shard = Number(values.shard);
  const shards = Number(values.shards);
  const mine = benchBakes(seed, perFamily).filter((b) => b.index % shards === shard);
  const started = performance.now();
  let done = 0;
  const samples = await measurePolicy(policy, mine, {
    seed,
    lanes: Number(values.lanes),
    onBake: () => {
      if (++done % 100 === 0 || done === mine.length)
        say(`${policy.id} [${shard + 1}/${shards}]: ${done}/${mine.length} bakes`);
    },
  });
  const partial: OverheadPartial = {
    policy: policy.id,
    samples,
    realMs: Math.round(performance.now() - started),
  };
  write(values.out, partial);
}

function report(): void {
  const dir = values.partials ?? '';
  const root = values.root ?? '';
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const partials: Partials = {
    provenance: read(join(dir, 'provenance.json')),
    overhead: files.filter((f) => f.startsWith('overhead-')).map((f) => read(join(dir, f))),
    scale: files.filter((f) => f.startsWith('scale-')).map((f) => read(join(dir, f))),
    resources: files.filter((f) => f.startsWith('resources-')).map((f) => read(join(dir, f))),
    window: files.includes('window.json') ? read(join(dir, 'window.json')) : undefined,
  };
  const timings = { bootMs: BENCH_TIMINGS.bootMs ?? 0, shutdownDelayMs: BENCH_TIMINGS.shutdownDelayMs ?? 0 };
  const results = buildResults(partials, {
    seed,
    perFamily,
    timings,
    runSeconds: Number(values['run-seconds']),
  });
  writeResults(root, results);
  say(`\n${results.readme}`);
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
