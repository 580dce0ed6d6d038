import type { Provenance } from '../lib/provenance';
import { bytes, duration, ratio, table } from './format';
import type { OverheadResults, ScaleResults, WindowResults } from './results';
import type { PolicySummary } from './summary';

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

const name = (p: PolicySummary) => (p.policy === 'design-2015' ? 'the 2015 design' : p.label);

/** The one sentence the README carries: overhead, correctness, and the price in API calls. */
export function headline(o: OverheadResults, s: ScaleResults): string {
  const q = o.policies.find((p) => p.policy === 'quadraxis');
  if (!q) return 'Quadraxis was not measured.';
  const others = o.policies.filter((p) => p.policy !== 'quadraxis');
  const overheads = others.map((p) => `${name(p)} ${duration(p.overheadMs.median)}`).join(', ');
  const premature = others.map((p) => `${name(p)} ${p.premature}`).join(', ');
  const calls = others.map((p) => q.callsPerBake.mean / p.callsPerBake.mean);
  const largest = s.rows.at(-1);
  const flat =
    largest && s.rows.every((r) => r.describe.pollerPerTickMax <= 2)
      ? `, while ${largest.bakes} bakes at once still make at most one DescribeInstances and one DescribeImages per tick`
      : '';
  return (
    `Over ${o.config.timelines} simulated bakes Quadraxis adds a median ${duration(q.overheadMs.median)} ` +
    `(p95 ${duration(q.overheadMs.p95)}) to AWS’s own time (${overheads}) and imaged ${q.premature} machines ` +
    `before their init script had finished (${premature}), at the price of ${ratio(Math.min(...calls))}–` +
    `${ratio(Math.max(...calls))} their API calls for a bake alone${flat}.`
  );
}

function overheadTable(policies: PolicySummary[]): string {
  return table(
    [
      'Policy',
      'Wall (median / p95)',
      'AWS’s own time (median)',
      'Overhead (median / p95)',
      'Overhead × Quadraxis (median / p95)',
      'API calls per bake (mean / p95)',
      'Calls × Quadraxis',
      'Images taken before the script finished',
      'Failed',
    ],
    policies.map((p) => [
      `**${p.label}**`,
      `${duration(p.wallMs.median)} / ${duration(p.wallMs.p95)}`,
      duration(p.awsMs.median),
      `${duration(p.overheadMs.median)} / ${duration(p.overheadMs.p95)}`,
      p.vsQuadraxis ? `${ratio(p.vsQuadraxis.overheadMedian)} / ${ratio(p.vsQuadraxis.overheadP95)}` : '—',
      `${p.callsPerBake.mean} / ${p.callsPerBake.p95}`,
      ratio(p.vsQuadraxis?.callsMean),
      `**${p.premature}** of ${p.bakes}`,
      p.failed,
    ]),
  );
}

function callsTable(policies: PolicySummary[]): string {
  const actions = [...new Set(policies.flatMap((p) => Object.keys(p.callsByAction)))].sort();
  return table(
    ['Action (mean per bake)', ...policies.map((p) => p.label)],
    actions.map((a) => [a, ...policies.map((p) => p.callsByAction[a] ?? 0)]),
  );
}

function overheadSection(o: OverheadResults): string {
  const d = o.config.distributions;
  const b = o.quadraxisBreakdown;
  const min = (ms: number) => `${ms / 60_000} min`;
  const s = (ms: number) => `${ms / 1000} s`;
  return [
    '## 1. Overhead per bake',
    '',
    machine(o.provenance),
    '',
    `${o.config.timelines} timelines drawn with seed ${o.config.seed}: running after ${s(d.runningAfterMs.min)}–${s(d.runningAfterMs.max)}; ` +
      `script log-normal (median ${min(d.scriptMs.median)}, σ ${d.scriptMs.sigma}) clipped to ${s(d.scriptMs.min)}–${min(d.scriptMs.max)}; ` +
      `stop ${s(d.stoppingMs.min)}–${s(d.stoppingMs.max)}; image ${min(d.imageMs.min)}–${min(d.imageMs.max)}; terminate ${s(d.terminateMs.min)}–${s(d.terminateMs.max)}; ` +
      `cloud-init boot ${s(o.config.fixed.bootMs)} and poweroff ${s(o.config.fixed.shutdownDelayMs)} on every launch. ` +
      `Drawn script times: median ${duration(o.config.timelineStats.scriptMs.median)}, p95 ${duration(o.config.timelineStats.scriptMs.p95)}.`,
    '',
    'Each timeline is played, one bake at a time, in the Sandbox on a virtual clock against every policy. ' +
      '**Overhead** = wall time − AWS’s own time on the policy’s path (the state changes its image depends on: ' +
      'for Quadraxis and the waiters boot + script + poweroff + stop + snapshot; for the 2015 design running + snapshot; ' +
      'for Packer running + boot + stop + snapshot). A policy that does not wait for the script has less AWS time ' +
      'to wait for, and pays for it in the last column. API latency is not simulated (every call takes 0 virtual ms); ' +
      'the SDK clients reach the Sandbox in-process here (built, signed and parsed as for AWS, without the socket).',
    '',
    overheadTable(o.policies),
    '',
    'The policies (each file under `bench/policies/` cites its sources):',
    '',
    ...o.policies.map((p) => `- **${p.label}** — ${p.summary}.`),
    '',
    '### Where Quadraxis’s overhead goes',
    '',
    'Seeing “running” or the poweroff late costs nothing by itself — EC2 carries on — so the overhead is the four ' +
      'parts below, which add up to it bake by bake (their medians need not).',
    '',
    table(
      ['Part', 'Median', 'p95'],
      [
        ['preflight + launch', duration(b.beforeLaunchMs.median), duration(b.beforeLaunchMs.p95)],
        [
          'stopped → CreateImage (poll of “stopped”)',
          duration(b.stoppedToCreateImageMs.median),
          duration(b.stoppedToCreateImageMs.p95),
        ],
        [
          'image available → seen (poll of the image)',
          duration(b.imageSeenLagMs.median),
          duration(b.imageSeenLagMs.p95),
        ],
        ['terminate + record', duration(b.afterImageMs.median), duration(b.afterImageMs.p95)],
      ],
    ),
    '',
    '### Where the calls go',
    '',
    'A bake alone gets nothing from the shared poller: its calls follow its own schedules — DescribeInstances ' +
      'sparsely while the script runs and closely near the poweroff, DescribeSnapshots to estimate when the ' +
      'image will be done, DescribeImages near that estimate — and one GetConsoleOutput to read the completion ' +
      'marker (nobody watches the console here; a watched bake streams it every tick). With other bakes in the ' +
      'region the same ticks serve them all (section 2).',
    '',
    callsTable(o.policies),
    '',
    'Packer’s counts cover only its instance and image calls (its temporary key pair, security group, source-AMI ' +
      'lookups and tags are not modelled), so they are a lower bound.',
  ].join('\n');
}

function scaleSection(s: ScaleResults): string {
  return [
    '## 2. Scale',
    '',
    machine(s.provenance),
    '',
    'N Quadraxis bakes started at once in one region (per-region limit raised to N), the Sandbox enforcing EC2’s ' +
      'token buckets (Describe/Get 100 + 20/s, mutating 50 + 5/s, RunInstances 5 + 2/s), timelines from the same ' +
      'distributions. Each N runs in its own process; CPU is that process’s user + system time from the first start ' +
      'to the last final record and includes the in-process Sandbox (its request handling shown apart); RSS is sampled every 50 ms.',
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
      s.rows.map((r) => [
        r.bakes,
        r.failed,
        r.premature,
        `${r.virtualMinutes} min`,
        `${r.describe.perMinuteMean} / ${r.describe.perMinutePeak}`,
        r.describe.pollerPerTickMax,
        r.requestLimitExceeded,
        `${r.calls} (${Math.round(r.calls / r.bakes)})`,
        `${duration(r.cpuMs.total)} (${duration(r.cpuMs.sandboxHandling)})`,
        duration((r.cpuMs.total - r.cpuMs.sandboxHandling) / r.bakes),
        `${r.rssMb.peak} MB`,
      ]),
    ),
    '',
    '“Poller Describe calls per tick” counts the shared poller’s DescribeInstances and DescribeImages (one of each ' +
      'per tick at most, batched by id); the peak minute is the launch burst, when every bake’s preflight ' +
      '(DescribeImages, DescribeInstanceTypes) lands at once; “CPU per bake” leaves the Sandbox’s share out.',
  ].join('\n');
}

function windowSection(w: WindowResults): string {
  if ('error' in w.window)
    return ['## 3. The window', '', machine(w.provenance), '', `Not measured: ${w.window.error}`].join('\n');
  const r = w.window;
  return [
    '## 3. The window',
    '',
    machine(w.provenance),
    '',
    `The built renderer in Debian’s Chromium through the e2e test bridge, ${r.loads} cold loads (a fresh browser ` +
      'context each, nothing cached), a data directory with 5 projects.',
    '',
    table(
      ['Measure', 'Value'],
      [
        [
          `Cold load → projects page painted (median of ${r.loads})`,
          `${duration(r.projectsPaintedMs.median)}${r.projectsShown === 'empty-state' ? ' — the page still shows its empty state, not the seeded projects' : ''}`,
        ],
        [
          `Cold load → Monaco editor ready (median of ${r.loads})`,
          r.editorReadyMs.median === null
            ? `not measured: ${r.editorReadyMs.missing ?? ''}`
            : duration(r.editorReadyMs.median),
        ],
        ['First contentful paint (median)', duration(r.firstContentfulPaintMs)],
        [
          'JavaScript loaded before first contentful paint',
          `${r.jsBeforeFirstPaint.files} file${r.jsBeforeFirstPaint.files === 1 ? '' : 's'}, ${bytes(r.jsBeforeFirstPaint.bytes)} (${bytes(r.jsBeforeFirstPaint.gzipBytes)} gzip)`,
        ],
        [
          `Appending ${r.consoleLines.lines.toLocaleString('en-US')} console lines (${r.consoleLines.linesPerEvent} per event): longest main-thread task`,
          r.consoleLines.longestTaskMs === 0 ? 'none over 50 ms' : duration(r.consoleLines.longestTaskMs),
        ],
        ['… longest gap between animation frames', duration(r.consoleLines.longestFrameGapMs)],
        ['… until all lines are counted on screen', duration(r.consoleLines.appendMs)],
        ['… console rows in the DOM afterwards', r.consoleLines.domRows],
      ],
    ),
  ].join('\n');
}

export function renderMarkdown(o: OverheadResults, s: ScaleResults, w: WindowResults): string {
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/run.mjs); edit the generator, not this file. -->',
    '',
    `**${headline(o, s)}**`,
    '',
    'A bake takes as long as AWS takes to boot, run the script, stop and snapshot; what a tool adds on top is ' +
      'paid on every bake, and every API call spends the account’s EC2 request budget that other tools share. ' +
      'Every figure below comes from one run of `npm run bench`; ratios compare policies within that run. ' +
      'Raw results: `bench/results/*.json`.',
    '',
    overheadSection(o),
    '',
    scaleSection(s),
    '',
    windowSection(w),
    '',
  ].join('\n');
}
