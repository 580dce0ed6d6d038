import { BAKE_DISTRIBUTIONS, type Distribution } from '../../src/sandbox';
import type { Provenance } from '../lib/provenance';
import type { ScaleRow } from '../parts/scale';
import { bytes, duration, table } from './format';
import { readmeParagraph } from './readme';
import { ALL, FAMILY_KEYS, type RunSpread, type Summary } from './summary';

const CHART = 'bench/results/overhead-vs-calls.svg';
/** First-load JavaScript before issue 13 split the pages (BENCHMARKS.md of commit 805e5d3): a fixed reference. */
const FIRST_LOAD_BEFORE_KB = 283;

function machine(p: Provenance): string {
  const commit = p.git.commit
    ? `${p.git.commit}${p.git.dirty ? ' + uncommitted changes' : ''}`
    : 'no commit yet';
  return (
    `\`${p.command}\` on ${p.date.slice(0, 16).replace('T', ' ')} UTC — ${p.cpu.count} × ${p.cpu.model}` +
    `${p.cpu.mhz > 0 ? ` (${p.cpu.mhz} MHz)` : ''}, ${p.memoryGb} GB, ${p.os}, Node ${p.node}; ` +
    `load average ${p.loadAverage.join(' / ')} at the start; code: ${commit}.`
  );
}

const s = (seconds: number) => duration(seconds * 1000);
const pair = (c: { medianS: number; p95S: number }) => `${s(c.medianS)} / ${s(c.p95S)}`;
const spread = (r: RunSpread | null, unit = (v: number) => duration(v)) =>
  r ? `${unit(r.median)} (${unit(r.min)}–${unit(r.max)}, ${r.runs} runs)` : 'not measured';

function distribution(d: Distribution): string {
  const v = (ms: number) => duration(ms);
  switch (d.kind) {
    case 'log-normal':
      return `log-normal around ${v(d.median)} (σ ${d.sigma}), ${v(d.min)}–${v(d.max)}`;
    case 'log-uniform':
      return `log-uniform ${v(d.min)}–${v(d.max)}`;
    case 'uniform':
      return `uniform ${v(d.min)}–${v(d.max)}`;
  }
}

function method(summary: Summary): string {
  const d = BAKE_DISTRIBUTIONS;
  const families = Object.entries(summary.config.families).map(([f, text]) => `- **${f}** — ${text}.`);
  return [
    '## Method',
    '',
    machine(summary.provenance),
    '',
    `${summary.config.perFamily} bakes per timeline family, drawn by the Sandbox’s seeded generator ` +
      `(\`src/sandbox/timing\`, seed ${summary.config.seed}; the unit tests draw from the same one). Every bake draws: ` +
      `running after ${distribution(d.runningAfterMs)}; the init script ${distribution(d.scriptMs)}; ` +
      `stopping ${distribution(d.stoppingMs)}; the snapshot ${distribution(d.snapshotMs)}; ` +
      `the lag between its 100 % and \`available\` ${distribution(d.availableLagMs)}; terminating ` +
      `${distribution(d.terminateMs)}; cloud-init boot 10 s and the wrapper’s poweroff 1 s. Bake i of every family ` +
      'shares these draws; the families differ in how the snapshot’s progress grows and on which side of 100 % ' +
      'the image turns available:',
    '',
    ...families,
    '',
    'Each bake is played, one at a time, in the Sandbox on a virtual clock against every policy; the SDK clients ' +
      'reach the Sandbox in-process (built, signed and parsed as for AWS, without the socket) and API latency is ' +
      'not simulated. **Overhead** = the time until the policy saw its AMI available − AWS’s own time until the AMI ' +
      'was available on the policy’s path (for the policies that wait for the script: running + boot + script + ' +
      '[poweroff] + stop + snapshot; for the 2015 design: running + snapshot). **Cleanup** (terminating the builder, ' +
      'and for Packer waiting for that) is reported apart. **Calls** are every call the Sandbox answered for the ' +
      'bake, cleanup included. Percentiles are nearest-rank.',
    '',
    'The policies (each file under `bench/policies/` cites its sources):',
    '',
    ...Object.entries(summary.policies).map(([, p]) => `- **${p.label}** — ${p.summary}.`),
  ].join('\n');
}

function perFamily(summary: Summary, cell: (id: string, f: (typeof FAMILY_KEYS)[number]) => string): string {
  return table(
    ['Policy', ...FAMILY_KEYS.map((f) => (f === ALL ? '**all**' : f))],
    Object.entries(summary.policies).map(([id, p]) => [
      id === 'quadraxis' ? `**${p.label}**` : p.label,
      ...FAMILY_KEYS.map((f) => cell(id, f)),
    ]),
  );
}

function overheadSection(summary: Summary): string {
  const parts = summary.quadraxisParts;
  return [
    '## 1. Overhead per timeline family',
    '',
    `![Median overhead against calls per bake, per family](${CHART})`,
    '',
    'Median / p95 overhead:',
    '',
    perFamily(summary, (id, f) => pair(summary.overhead[id]![f])),
    '',
    'Calls per bake (mean):',
    '',
    perFamily(summary, (id, f) => String(summary.overhead[id]![f].callsPerBake)),
    '',
    '### Time until the AMI is available and seen, and cleanup',
    '',
    table(
      ['Policy', 'Until the AMI is seen (median / p95)', 'Cleanup after it (median / p95)'],
      Object.entries(summary.policies).map(([id, p]) => [
        p.label,
        pair(summary.seen[id]![ALL]),
        pair(summary.cleanup[id]![ALL]),
      ]),
    ),
    '',
    '### Images taken before the script finished',
    '',
    table(
      ['Policy', 'Premature images', 'Why'],
      Object.entries(summary.policies).map(([id, p]) => [
        p.label,
        `**${summary.overhead[id]![ALL].premature}** of ${p.bakes}`,
        p.prematureReason,
      ]),
    ),
    '',
    '### Where Quadraxis’s overhead goes',
    '',
    'Seeing “running” or the poweroff late costs nothing by itself — EC2 carries on — so Quadraxis’s overhead is ' +
      'the lag of seeing “stopped” (CreateImage waits for it) plus the lag of seeing “available”:',
    '',
    table(
      ['Family', 'Seeing “stopped” (median / p95)', 'Seeing “available” (median / p95)'],
      FAMILY_KEYS.map((f) => [f, pair(parts[f].stopLag), pair(parts[f].imageLag)]),
    ),
    '',
    quadraxisCurveSection(summary),
    '',
    '### Where the calls go (mean per bake, all families)',
    '',
    callsTable(summary),
    '',
    'Packer’s counts leave out its temporary key pair and security group and its tagging calls, so they are a ' +
      'lower bound. Quadraxis’s include its preflight (GetParameter, two DescribeImages, DescribeInstanceTypes) ' +
      'and the console read that tells exit 0 from a failed script.',
  ].join('\n');
}

function quadraxisCurveSection(summary: Summary): string {
  const c = summary.quadraxisCurve;
  if (!c) return '';
  return [
    '### Quadraxis’s own curve',
    '',
    'Every gap of Quadraxis’s look schedules scaled (×1 is what ships), replayed on the same bakes by ' +
      '`bench/lib/schedule-replay.ts` — the schedule classes themselves, the poller’s tick rules, no SDK. At ×1 ' +
      `the replay matched the engine’s overhead and wait calls exactly on ${c.agreement.exact} of ${c.agreement.bakes} ` +
      `bakes; each bake also makes ${c.otherCalls} calls besides waiting (preflight, launch, the console read, ` +
      'CreateImage, terminate). Median / p95 overhead and calls per bake, all families and the worst:',
    '',
    table(
      [
        'Gaps ×',
        'all: median / p95',
        'all: calls',
        ...['stalled-jump', 'available-first'].map((f) => `${f}: median / p95, calls`),
      ],
      c.points.map((p) => [
        p.scale === 1 ? '**1 (shipped)**' : String(p.scale),
        pair(p.byFamily[ALL]),
        p.byFamily[ALL].callsPerBake,
        ...(['stalled-jump', 'available-first'] as const).map(
          (f) => `${pair(p.byFamily[f])}, ${p.byFamily[f].callsPerBake}`,
        ),
      ]),
    ),
  ].join('\n');
}

function callsTable(summary: Summary): string {
  const policies = Object.values(summary.policies);
  const actions = [...new Set(policies.flatMap((p) => Object.keys(p.callsByAction)))].sort();
  return table(
    ['Action', ...policies.map((p) => p.label)],
    actions.map((a) => [a, ...policies.map((p) => p.callsByAction[a] ?? 0)]),
  );
}

function targetsSection(summary: Summary): string {
  const t = summary.targets;
  const q = summary.overhead.quadraxis;
  const sdk = summary.overhead['sdk-v3-15-120'];
  const mark = (ok: boolean) => (ok ? 'met' : '**not met**');
  const rows = FAMILY_KEYS.map((f) => {
    const c = t.curve.byFamily[f];
    return [
      f,
      q ? pair(q[f]) : '—',
      mark(!t.overhead.failing.includes(f)),
      q && sdk ? `${q[f].callsPerBake} vs ${sdk[f].callsPerBake}` : '—',
      mark(!t.calls.failing.includes(f)),
      c.curveS === null ? `— (${c.how})` : `${s(c.curveS)} (${c.how})`,
      mark(c.below),
    ];
  });
  const windowRows = t.window
    ? [
        '',
        table(
          ['Window target', 'Measured', 'Limit', ''],
          [
            [
              'First-load JavaScript (gzip)',
              `${t.window.firstLoadGzipKb.value} KB`,
              `${t.window.firstLoadGzipKb.limit} KB`,
              mark(t.window.firstLoadGzipKb.pass),
            ],
            [
              'Projects list painted after a cold load (median)',
              duration(t.window.projectsPaintedMs.value),
              duration(t.window.projectsPaintedMs.limit),
              mark(t.window.projectsPaintedMs.pass),
            ],
            [
              '100,000 console lines with no main-thread task over 50 ms',
              `${t.window.consoleRunsWithoutLongTask.value} of ${t.window.consoleRunsWithoutLongTask.runs} runs`,
              'every run, at least 5',
              mark(t.window.consoleRunsWithoutLongTask.pass),
            ],
          ],
        ),
      ]
    : [];
  return [
    '## 2. Targets, and where Quadraxis is not ahead',
    '',
    'Targets: Quadraxis’s median overhead ≤ 10 s and p95 ≤ 30 s on every family, with no more calls per bake ' +
      'than the SDK-v3 default waiters; on or below the curve of the tuned waiters (less overhead at equal ' +
      'calls, or fewer calls at equal overhead).',
    '',
    table(
      [
        'Family',
        'Quadraxis median / p95',
        'Overhead target',
        'Calls: Quadraxis vs SDK defaults',
        'Calls target',
        'Tuned-waiter curve at Quadraxis’s calls',
        'On or below it',
      ],
      rows,
    ),
    ...windowRows,
    '',
    notAhead(summary),
    '',
    '**What only a real AWS run can still change.** The families are a model: how often EC2’s progress stalls, ' +
      'how far the image trails or leads its snapshot’s 100 %, and how stop and snapshot times spread in a given ' +
      'account and region are not known from here, and the Sandbox answers every call at once (real calls take ' +
      '50–300 ms, which every policy pays per poll). Throttling by other tools sharing the account, EC2’s eventual ' +
      'consistency (a new instance or image not yet listed) and console output that trails a stop are modelled ' +
      'only as far as the Sandbox does. Real runs would refine the families’ shares and the caps, not the method: ' +
      'every gap is capped, so a curve unlike these costs looks or a bounded lag.',
  ].join('\n');
}

function notAhead(summary: Summary): string {
  const t = summary.targets;
  const lines: string[] = ['**Where Quadraxis is not ahead.**'];
  if (t.overhead.pass && t.calls.pass && t.curve.pass)
    lines.push('Nowhere in this run: every target is met.');
  if (!t.overhead.pass) lines.push(`- Overhead above the target on: ${t.overhead.failing.join(', ')}.`);
  if (!t.calls.pass)
    lines.push(
      `- Calls: more per bake than the SDK's default waiters on ${t.calls.failing.join(', ')}. Quadraxis ` +
        'spends four preflight calls and a console read the waiters do not make, and it looks at the builder ' +
        'at least every 30 s and at the image closely around its end — that is what keeps the overhead within ' +
        'seconds; the default waiters poll every 2 minutes once warmed up and add minutes instead. With other ' +
        'bakes in the region the shared poller’s calls serve them all (section 3).',
    );
  if (!t.calls.pass && t.atDefaultCalls) {
    const at = t.atDefaultCalls[ALL];
    const verdict =
      at.quadraxisS === null
        ? 'its replayed curve does not reach that few calls'
        : at.quadraxisS < at.sdkS
          ? 'at equal calls it is still ahead; the shipped setting buys seconds with the extra calls'
          : 'at equal calls it would not be ahead';
    lines.push(
      `- Spending only the SDK default waiters' ${at.calls} calls per bake (its gaps scaled until it makes as ` +
        `few), Quadraxis would add a median ${at.quadraxisS === null ? '—' : s(at.quadraxisS)} against their ` +
        `${s(at.sdkS)}: ${verdict}.`,
    );
  }
  const ahead = new Map<string, string[]>();
  for (const a of t.anchorsAhead)
    ahead.set(a.id, [...(ahead.get(a.id) ?? []), `${a.family} ${s(a.medianS)} at ${a.calls} calls`]);
  for (const [id, where] of ahead)
    lines.push(
      `- ${summary.policies[id]?.label ?? id} sees the image sooner (median) on: ${where.join('; ')} — ` +
        (id.startsWith('packer')
          ? 'its SSH provisioner knows the moment the script ends and it stops the builder itself, so only ' +
            'the stop and the AMI are polled; Quadraxis has no connection to the builder and learns of the ' +
            'end from the poweroff, looking at most every 30 s.'
          : 'see the chart for the calls it spends.'),
    );
  const w = t.window;
  if (w && (!w.projectsPaintedMs.pass || !w.consoleRunsWithoutLongTask.pass || !w.firstLoadGzipKb.pass)) {
    const load = `${summary.provenance.loadAverage[0] ?? '?'} on ${summary.provenance.cpu.count} cores`;
    lines.push(
      `- The window (section 4), measured at a load average of ${load}: ` +
        [
          w.firstLoadGzipKb.pass ? '' : `first-load JavaScript ${w.firstLoadGzipKb.value} KB gzip`,
          w.projectsPaintedMs.pass
            ? ''
            : `the projects list painted a median ${duration(w.projectsPaintedMs.value)} after a cold load (target ${duration(w.projectsPaintedMs.limit)})`,
          w.consoleRunsWithoutLongTask.pass
            ? ''
            : `a task over 50 ms in ${w.consoleRunsWithoutLongTask.runs - w.consoleRunsWithoutLongTask.value} of ${w.consoleRunsWithoutLongTask.runs} console runs`,
        ]
          .filter(Boolean)
          .join('; ') +
        '. On a shared, loaded machine these wall-clock figures mostly measure waiting for a core; the ' +
        `first screen now parses ${w.firstLoadGzipKb.value} KB of gzip JavaScript (${FIRST_LOAD_BEFORE_KB} KB before ` +
        'the pages were split) and asks main for the list before React mounts, and a frame that follows a ' +
        'console flood lays out half the rows it did.',
    );
  }
  const curve = Object.entries(t.curve.byFamily).filter(([, c]) => !c.below);
  if (curve.length > 0)
    lines.push(`- Above the tuned-waiter curve on: ${curve.map(([f, c]) => `${f} (${c.how})`).join(', ')}.`);
  return lines.join('\n');
}

function scaleSection(summary: Summary, rows: ScaleRow[]): string {
  const r = summary.resources;
  const resources =
    'error' in r
      ? `Per-bake resources not measured: ${r.error}.`
      : `Per bake, with ${r.bakesAtOnce} bakes at once (median, min–max over ${r.cpuMsPerBake.runs} runs): ` +
        `CPU ${spread(r.cpuMsPerBake)} (the Sandbox’s own share left out), RSS ${spread(r.rssMbPerBake, (v) => `${v} MB`)} ` +
        `above the process’s start; peak RSS ${spread(r.peakRssMb, (v) => `${v} MB`)}.`;
  return [
    '## 3. Scale',
    '',
    'N Quadraxis bakes started at once in one region (per-region limit raised to N), the families in turn, the ' +
      'Sandbox enforcing EC2’s token buckets (Describe/Get 100 + 20/s, mutating 50 + 5/s, RunInstances 5 + 2/s). ' +
      'Each N runs in its own process, over real loopback HTTP; CPU is that process’s user + system time from the ' +
      'first start to the last final record and includes the in-process Sandbox (its request handling shown ' +
      'apart); RSS is sampled every 50 ms.',
    '',
    table(
      [
        'Bakes at once',
        'Failed',
        'Premature images',
        'Virtual duration',
        'Describe calls / min (mean / peak minute)',
        'Poller Describe calls per tick (max)',
        'RequestLimitExceeded',
        'All calls (per bake)',
        'CPU total (Sandbox share)',
        'CPU per bake',
        'Peak RSS',
      ],
      rows.map((row) => [
        row.bakes,
        row.failed,
        row.premature,
        `${row.virtualMinutes} min`,
        `${row.describe.perMinuteMean} / ${row.describe.perMinutePeak}`,
        row.describe.pollerPerTickMax,
        row.requestLimitExceeded,
        `${row.calls} (${Math.round(row.calls / row.bakes)})`,
        `${duration(row.cpuMs.total)} (${duration(row.cpuMs.sandboxHandling)})`,
        duration((row.cpuMs.total - row.cpuMs.sandboxHandling) / row.bakes),
        `${row.rssMb.peak} MB`,
      ]),
    ),
    '',
    resources,
    '',
    '“Poller Describe calls per tick” counts the shared poller’s DescribeInstances, DescribeSnapshots and ' +
      'DescribeImages (batched by filter); the peak minute is the launch burst, when every bake’s preflight lands ' +
      'at once. The rows are single runs; the per-bake figures above are the spread of repeated runs.',
  ].join('\n');
}

function windowSection(summary: Summary): string {
  const w = summary.window;
  if ('error' in w) return ['## 4. The window', '', `Not measured: ${w.error}`].join('\n');
  return [
    '## 4. The window',
    '',
    `The built renderer in Debian’s Chromium through the e2e test bridge: ${w.coldLoads} cold loads (a fresh ` +
      'browser context each, nothing cached) with a data directory of 5 projects, and ' +
      `${w.consoleLongestTaskMs.runs} runs of ${w.consoleLines.toLocaleString('en-US')} console lines into a ` +
      'finished bake’s page. These are wall-clock figures: the load average when the run started ' +
      `(${summary.provenance.loadAverage.join(' / ')} on ${summary.provenance.cpu.count} cores) stretches them, ` +
      'and the window job runs alone at the end of the benchmark for that reason. Median (min–max):',
    '',
    table(
      ['Measure', 'Value'],
      [
        ['Cold load → projects list painted', spread(w.projectsPaintedMs)],
        ['Cold load → Monaco editor ready (project page)', spread(w.editorReadyMs)],
        ['First contentful paint', spread(w.firstContentfulPaintMs)],
        [
          'JavaScript loaded before the first paint',
          `${w.firstLoadJs.files} file${w.firstLoadJs.files === 1 ? '' : 's'}, ${bytes(w.firstLoadJs.bytes)} (${bytes(w.firstLoadJs.gzipBytes)} gzip)`,
        ],
        [
          `${w.consoleLines.toLocaleString('en-US')} console lines: longest main-thread task (0: none over 50 ms)`,
          spread(w.consoleLongestTaskMs),
        ],
        [
          '… runs with no task over 50 ms',
          `${w.consoleRunsWithoutLongTask} of ${w.consoleLongestTaskMs.runs}`,
        ],
        ['… until all lines are counted on screen', spread(w.consoleAppendMs)],
      ],
    ),
  ].join('\n');
}

export function renderMarkdown(summary: Summary, scale: ScaleRow[]): string {
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/run.mjs); edit the generator, not this file. -->',
    '',
    readmeParagraph(summary),
    '',
    'A bake takes as long as AWS takes to boot, run the script, stop and snapshot; what a tool adds on top is ' +
      'paid on every bake, and every API call spends the account’s EC2 request budget that other tools share. ' +
      'Every figure below comes from one run of `npm run bench`. Raw results: `bench/results/summary.json` ' +
      '(what this page and the README say), `overhead.json` (every bake), `scale.json`, `window.json`.',
    '',
    method(summary),
    '',
    overheadSection(summary),
    '',
    targetsSection(summary),
    '',
    scaleSection(summary, scale),
    '',
    windowSection(summary),
    '',
  ].join('\n');
}
