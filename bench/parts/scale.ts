import {
  childSeed,
  launchTimeline,
  seededRandom,
  type BakeTimeline,
  type CallRecord,
} from '../../src/sandbox';
import { TAG_BAKE_ID } from '../../src/protocol/builder-tags';
import { mixedBakes } from '../lib/bakes';
import { SandboxProbe } from '../lib/sandbox-probe';
import { median } from '../lib/stats';
import { BENCH_REGION, createWorld } from '../lib/world';
import { openQuadraxis } from '../policies/quadraxis';

export interface ScaleRow {
  bakes: number;
  failed: number;
  failures: string[];
  premature: number;
  /** Virtual time from the first start to the last final record. */
  virtualMinutes: number;
  calls: number;
  callsByAction: Record<string, number>;
  describe: {
    total: number;
    perMinuteMean: number;
    perMinutePeak: number;
    /** The shared poller's DescribeInstances/DescribeSnapshots/DescribeImages (batched by filter), by tick. */
    pollerPerTickMax: number;
    pollerPerTickMedian: number;
    pollerTicks: number;
  };
  requestLimitExceeded: number;
  /** The engine's own warnings and errors (its logger at level warn). */
  engineProblems: number;
  cpuMs: { user: number; system: number; total: number; sandboxHandling: number };
  rssMb: { before: number; peak: number };
  realMs: number;
}

const MB = 1024 * 1024;
const POLLER_FILTERS = new Set(['instance-id', 'image-id', `tag:${TAG_BAKE_ID}`]);

const isDescribe = (c: CallRecord) => c.action.startsWith('Describe');

/**
 * `bakes` Quadraxis bakes started at once in one region (per-region limit raised to match), EC2's token
 * buckets enforced by the Sandbox, timelines from the same distributions as the overhead part. Measured:
 * what the account's request budget sees, and what the process pays (CPU, peak RSS sampled every 50 ms).
 * The Sandbox runs in the same process; its request handling is timed separately so it can be told apart.
 */
export async function measureScale(
  bakes: number,
  seed: number,
  timelines: readonly BakeTimeline[] = mixedBakes(childSeed(seed, `scale/${bakes}`), bakes).map(
    (b) => b.timeline,
  ),
): Promise<ScaleRow> {
  const world = await createWorld({ seed: `scale-${seed}-${bakes}`, throttling: true });
  const { sim } = world.sandbox;
  for (const t of timelines) sim.pushTimeline(launchTimeline(t));

  const probe = new SandboxProbe(sim);

  let problems = 0;
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  sampler.unref();
  const realStart = performance.now();
  const cpuStart = process.cpuUsage();
  const virtualStart = world.clock.now();
  const runner = await openQuadraxis(
    { world, region: BENCH_REGION, rng: seededRandom(seed) },
    { perRegion: bakes, onProblem: () => problems++ },
  );
  try {
    const results = await Promise.all(timelines.map((timeline, index) => runner.bake({ index, timeline })));
    const virtualMs = world.clock.now() - virtualStart;
    const cpu = process.cpuUsage(cpuStart);
    const realMs = performance.now() - realStart;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);

    const calls = probe.all();
    const images = new Map(sim.images().map((i) => [i.imageId, i]));
    const failures = results.filter((r) => !r.ok).map((r) => r.message ?? 'failed without a message');
    return {
      bakes,
      failed: failures.length,
      failures: failures.slice(0, 5),
      premature: results.filter((r) => r.imageId && images.get(r.imageId)?.scriptCompleteAtCapture !== true)
        .length,
      virtualMinutes: Math.round((virtualMs / 60_000) * 10) / 10,
      calls: calls.length,
      callsByAction: countBy(calls, (c) => c.action),
      describe: describeFigures(calls, virtualStart, virtualMs),
      requestLimitExceeded: calls.filter((c) => c.outcome === 'RequestLimitExceeded').length,
      engineProblems: problems,
      cpuMs: {
        user: Math.round(cpu.user / 1000),
        system: Math.round(cpu.system / 1000),
        total: Math.round((cpu.user + cpu.system) / 1000),
        sandboxHandling: probe.sandboxCpuMs,
      },
      rssMb: { before: Math.round(rssBefore / MB), peak: Math.round(rssPeak / MB) },
      realMs: Math.round(realMs),
    };
  } finally {
    clearInterval(sampler);
    await runner.close();
    await world.close();
  }
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function describeFigures(
  calls: readonly CallRecord[],
  start: number,
  virtualMs: number,
): ScaleRow['describe'] {
  const describes = calls.filter(isDescribe);
  const minutes = Math.max(1, Math.ceil(virtualMs / 60_000));
  const perMinute = new Array<number>(minutes).fill(0);
  for (const call of describes) {
    const minute = Math.min(minutes - 1, Math.floor((call.time - start) / 60_000));
    perMinute[minute] = (perMinute[minute] ?? 0) + 1;
  }
  const ticks = new Map<number, number>();
  for (const call of describes) {
    if (!POLLER_FILTERS.has(String(call.params['Filter.1.Name']))) continue;
    ticks.set(call.time, (ticks.get(call.time) ?? 0) + 1);
  }
  const perTick = [...ticks.values()];
  return {
    total: describes.length,
    perMinuteMean: Math.round((describes.length / (virtualMs / 60_000)) * 10) / 10,
    perMinutePeak: Math.max(0, ...perMinute),
    pollerPerTickMax: Math.max(0, ...perTick),
    pollerPerTickMedian: median(perTick),
    pollerTicks: perTick.length,
  };
}
