// `npm run bench`: bundles the benchmark (TypeScript under bench/ and the services it drives) with Vite, then
// runs its jobs as separate processes — two at a time on this 2-core machine, the window alone at the end so
// Chromium's timings are not shared with a bake — and writes bench/results/*, BENCHMARKS.md and the README's
// benchmark paragraph.
// Usage: node bench/run.mjs [--quick]   (--quick: a smoke run of every job at a fraction of the size, written
// under out/bench/quick/ so the repository's results stay as they are)
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { build } from 'vite';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside out/ at depth two, so the e2e helpers' `resolve(__dirname, '..', '..')` still finds the repository.
const OUT = join(ROOT, 'out', 'bench');
const PARTIALS = join(OUT, 'partials');
const quick = process.argv.includes('--quick');
const PER_FAMILY = quick ? 4 : 150;
const SCALE = quick ? [1, 10] : [200, 100, 50, 10, 1];
const RESOURCE_RUNS = quick ? 2 : 5;
const RESOURCE_BAKES = quick ? 10 : 100;
const QUADRAXIS_SHARDS = 3;
const WORKERS = 2;
const started = Date.now();
// Where the results go: the repository, or (quick) a scratch copy of what the report rewrites.
const RESULTS_ROOT = quick ? join(OUT, 'quick') : ROOT;

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const say = (line) => process.stdout.write(`[bench ${elapsed()}] ${line}\n`);

async function bundle() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    define: { __QUADRAXIS_VERSION__: JSON.stringify(pkg.version) },
    ssr: { noExternal: ['electron-store', '@octokit/webhooks-methods'] },
    build: {
      ssr: join(ROOT, 'bench', 'main.ts'),
      outDir: OUT,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: {
        output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
      },
    },
  });
}

function runJob(name, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(OUT, 'main.cjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    child.stderr.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) say(`${name}: ${line}`);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) {
        say(`${name}: done`);
        resolve();
      } else reject(new Error(`${name} exited with ${code}`));
    });
  });
}

async function pool(jobs, size) {
  const queue = [...jobs];
  const failures = [];
  await Promise.all(
    Array.from({ length: size }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        await runJob(job.name, job.args).catch((error) => failures.push(error));
      }
    }),
  );
  if (failures.length > 0) throw new Error(failures.map((e) => e.message).join('; '));
}

const common = ['--per-family', String(PER_FAMILY)];
const partial = (name) => ['--out', join(PARTIALS, `${name}.json`)];
const overhead = (policy, shard = 0, shards = 1) => ({
  name: `overhead ${policy}${shards > 1 ? ` ${shard + 1}/${shards}` : ''}`,
  args: [
    'overhead',
    '--policy',
    policy,
    '--shard',
    String(shard),
    '--shards',
    String(shards),
    '--lanes',
    '4',
    ...common,
    ...partial(`overhead-${policy}-${shard}`),
  ],
});
const scale = (bakes, file) => ({ name: file, args: ['scale', '--bakes', String(bakes), ...partial(file)] });

// Longest first, so the two workers finish together.
const jobs = [
  ...Array.from({ length: QUADRAXIS_SHARDS }, (_, shard) => overhead('quadraxis', shard, QUADRAXIS_SHARDS)),
  overhead('sdk-v3-2-10'),
  overhead('sdk-v3-5-15'),
  scale(SCALE[0], `scale-${SCALE[0]}`),
  overhead('sdk-v3-10-60'),
  overhead('packer-v2'),
  overhead('packer-v1'),
  overhead('sdk-v3-15-120'),
  overhead('design-2015'),
  ...Array.from({ length: RESOURCE_RUNS }, (_, run) => scale(RESOURCE_BAKES, `resources-${run}`)),
  ...SCALE.slice(1).map((n) => scale(n, `scale-${n}`)),
];

say(`bundling bench/main.ts${quick ? ' (quick: a smoke run, results under out/bench/quick/)' : ''}`);
await bundle();
rmSync(PARTIALS, { recursive: true, force: true });
if (quick) {
  mkdirSync(join(RESULTS_ROOT, 'bench', 'results'), { recursive: true });
  copyFileSync(join(ROOT, 'README.md'), join(RESULTS_ROOT, 'README.md'));
}
await runJob('provenance', ['provenance', ...partial('provenance')]);
await pool(jobs, WORKERS);
await runJob('window', ['window', ...partial('window')]).catch((error) =>
  say(`window not measured: ${error.message}`),
);
const runSeconds = String(Math.round((Date.now() - started) / 1000));
await runJob('report', [
  'report',
  '--partials',
  PARTIALS,
  '--root',
  RESULTS_ROOT,
  '--run-seconds',
  runSeconds,
  ...common,
]);
// Formatted as the repository formats Markdown, so `npm run check` stays green after a run.
for (const file of ['BENCHMARKS.md', 'README.md']) {
  const path = join(RESULTS_ROOT, file);
  const options = await resolveConfig(join(ROOT, file));
  writeFileSync(path, await format(readFileSync(path, 'utf8'), { ...options, filepath: path }));
}
say(`wrote ${quick ? 'out/bench/quick/: ' : ''}bench/results/*, BENCHMARKS.md and README.md (${elapsed()})`);
