// `npm run bench`: bundles the benchmark (TypeScript under bench/ and the services it drives) with Vite, then
// runs its jobs as separate processes — two at a time on this 2-core machine, the window alone at the end so
// Chromium's timings are not shared with a bake — and writes bench/results/*.json and BENCHMARKS.md.
// Usage: node bench/run.mjs [--quick]   (--quick: 20 timelines and 1/10 bakes, to try the harness)
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { build } from 'vite';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside out/ at depth two, so the e2e helpers' `resolve(__dirname, '..', '..')` still finds the repository.
const OUT = join(ROOT, 'out', 'bench');
const PARTIALS = join(OUT, 'partials');
const quick = process.argv.includes('--quick');
const TIMELINES = quick ? 20 : 200;
const SCALE = quick ? [1, 10] : [200, 100, 50, 10, 1];
const WORKERS = 2;
const started = Date.now();

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

const common = ['--timelines', String(TIMELINES)];
const partial = (name) => ['--out', join(PARTIALS, `${name}.json`)];

// Longest first, so the two workers finish together.
const jobs = [
  ...SCALE.slice(0, 1).map((n) => ({
    name: `scale ${n}`,
    args: ['scale', '--bakes', String(n), ...partial(`scale-${n}`)],
  })),
  ...[0, 1].map((shard) => ({
    name: `overhead quadraxis ${shard + 1}/2`,
    args: [
      'overhead',
      '--policy',
      'quadraxis',
      '--shard',
      String(shard),
      '--shards',
      '2',
      '--lanes',
      '4',
      ...common,
      ...partial(`overhead-quadraxis-${shard}`),
    ],
  })),
  ...SCALE.slice(1).map((n) => ({
    name: `scale ${n}`,
    args: ['scale', '--bakes', String(n), ...partial(`scale-${n}`)],
  })),
  ...['design-2015', 'sdk-waiters', 'packer'].map((policy) => ({
    name: `overhead ${policy}`,
    args: ['overhead', '--policy', policy, '--lanes', '4', ...common, ...partial(`overhead-${policy}`)],
  })),
];

say('bundling bench/main.ts');
await bundle();
rmSync(PARTIALS, { recursive: true, force: true });
await runJob('provenance', ['provenance', ...partial('provenance')]);
await pool(jobs, WORKERS);
await runJob('window', ['window', ...partial('window')]).catch((error) =>
  say(`window not measured: ${error.message}`),
);
await runJob('report', ['report', '--partials', PARTIALS, '--root', ROOT, ...common]);
// Formatted as the repository formats Markdown, so `npm run check` stays green after a run.
const markdown = join(ROOT, 'BENCHMARKS.md');
const options = await resolveConfig(markdown);
writeFileSync(markdown, await format(readFileSync(markdown, 'utf8'), { ...options, filepath: markdown }));
say('wrote bench/results/overhead.json, scale.json, window.json and BENCHMARKS.md');
