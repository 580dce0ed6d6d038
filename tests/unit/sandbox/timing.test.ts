import {
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  RunInstancesCommand,
  CreateImageCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  BAKE_DISTRIBUTIONS,
  drawTimelines,
  FAMILIES,
  launchTimeline,
  progressAt,
  reportedProgress,
  TIMELINE_FAMILIES,
} from '../../../src/sandbox';
import { openSandbox, type TestSandbox } from './helpers';

describe('the timeline generator', () => {
  test('is seeded: the same seed draws the same bakes, another seed others', () => {
    for (const family of TIMELINE_FAMILIES) {
      const a = drawTimelines({ seed: 42, family, count: 50 });
      expect(drawTimelines({ seed: 42, family, count: 50 })).toEqual(a);
      expect(drawTimelines({ seed: 43, family, count: 50 })).not.toEqual(a);
      // Bake i does not depend on how many are drawn.
      expect(drawTimelines({ seed: 42, family, count: 10 })).toEqual(a.slice(0, 10));
    }
  });

  test('every family shares the same running, script and stop draws; only its curve and lag differ', () => {
    const [linear, ...others] = TIMELINE_FAMILIES.map((family) =>
      drawTimelines({ seed: 5, family, count: 40 }),
    );
    for (const family of others) {
      expect(family.map((t) => [t.runningAfterMs, t.scriptMs, t.stoppingMs, t.terminateMs])).toEqual(
        linear!.map((t) => [t.runningAfterMs, t.scriptMs, t.stoppingMs, t.terminateMs]),
      );
    }
  });

  test('draws stay within their distributions and reach both tails', () => {
    const bakes = TIMELINE_FAMILIES.flatMap((family) => drawTimelines({ seed: 9, family, count: 200 }));
    const d = BAKE_DISTRIBUTIONS;
    for (const key of ['runningAfterMs', 'scriptMs', 'stoppingMs', 'terminateMs'] as const) {
      const values = bakes.map((t) => t[key]);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(d[key].min);
      expect(Math.max(...values)).toBeLessThanOrEqual(d[key].max);
    }
    const stops = bakes.map((t) => t.stoppingMs);
    // Fast and slow stops both occur: under 8 s and over a minute.
    expect(stops.some((ms) => ms < 8_000)).toBe(true);
    expect(stops.some((ms) => ms > 60_000)).toBe(true);
  });

  test('available 0–60 s after the snapshot completes — or, in one family, up to 60 s before', () => {
    for (const family of TIMELINE_FAMILIES) {
      for (const t of drawTimelines({ seed: 3, family, count: 200 })) {
        const lag = t.imageMs - t.snapshotMs;
        if (FAMILIES[family].availableFirst) expect(lag).toBeLessThanOrEqual(0);
        else expect(lag).toBeGreaterThanOrEqual(0);
        expect(Math.abs(lag)).toBeLessThanOrEqual(60_000);
      }
    }
  });
});

describe('progress curves', () => {
  test('linear, convex and concave meet at the ends and differ in the middle', () => {
    const at = (exponent: number, f: number) => progressAt({ kind: 'power', exponent }, f);
    for (const e of [0.6, 1, 1.3, 1.5]) {
      expect(at(e, 0)).toBe(0);
      expect(at(e, 1)).toBe(100);
    }
    expect(at(1, 0.5)).toBe(50);
    expect(at(1.5, 0.5)).toBeLessThan(at(1.3, 0.5));
    expect(at(1.3, 0.5)).toBeLessThan(50);
    expect(at(0.6, 0.5)).toBeGreaterThan(50);
  });

  test('stalled: 0 % until its moment, then a jump; stuck until done reports 0 % to the end', () => {
    const jump = { kind: 'stalled', until: 0.6, jumpTo: 70 } as const;
    expect(progressAt(jump, 0.59)).toBe(0);
    expect(progressAt(jump, 0.6)).toBe(70);
    expect(progressAt(jump, 0.8)).toBe(85);
    const stuck = { kind: 'stalled', until: 1, jumpTo: 100 } as const;
    expect(reportedProgress(stuck, 0.999)).toBe(0);
  });

  test('a pending snapshot never reports 100 %', () => {
    expect(reportedProgress({ kind: 'power', exponent: 0.6 }, 0.9999)).toBe(99);
  });
});

describe('the Sandbox plays a drawn timeline', () => {
  let t: TestSandbox;
  beforeEach(async () => (t = await openSandbox()));
  afterEach(() => t.close());

  async function imageOf(timeline: Parameters<typeof launchTimeline>[0]) {
    t.sandbox.sim.pushTimeline(launchTimeline(timeline));
    const base = await t.ec2.send(
      new DescribeImagesCommand({
        Owners: ['amazon'],
        Filters: [{ Name: 'name', Values: ['al2023-ami-*'] }],
      }),
    );
    const run = await t.ec2.send(
      new RunInstancesCommand({
        ImageId: base.Images![0]!.ImageId!,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
      }),
    );
    const instanceId = run.Instances![0]!.InstanceId!;
    await t.clock.advance(timeline.runningAfterMs);
    await t.ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    await t.clock.advance(timeline.stoppingMs);
    const { ImageId } = await t.ec2.send(
      new CreateImageCommand({ InstanceId: instanceId, Name: 'timing-test' }),
    );
    const read = async () => {
      const [snapshot] = (await t.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots!;
      const [image] = (await t.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images!;
      return { snapshot: `${snapshot!.State} ${snapshot!.Progress}`, image: image!.State };
    };
    return { read, advance: (ms: number) => t.clock.advance(ms) };
  }

  test('convex progress, then 100 % with the image still pending for the drawn lag', async () => {
    const [bake] = drawTimelines({ seed: 1, family: 'convex-1.5', count: 1 });
    const { read, advance } = await imageOf({ ...bake!, snapshotMs: 400_000, imageMs: 430_000 });
    await advance(200_000);
    expect(await read()).toEqual({ snapshot: `pending ${Math.floor(100 * 0.5 ** 1.5)}%`, image: 'pending' });
    await advance(200_000);
    expect(await read()).toEqual({ snapshot: 'completed 100%', image: 'pending' });
    await advance(30_000);
    expect((await read()).image).toBe('available');
  });

  test('available first: the image is available while the snapshot still reports progress', async () => {
    const [bake] = drawTimelines({ seed: 1, family: 'available-first', count: 1 });
    const { read, advance } = await imageOf({ ...bake!, snapshotMs: 400_000, imageMs: 360_000 });
    await advance(360_000);
    expect(await read()).toEqual({ snapshot: 'pending 90%', image: 'available' });
    await advance(40_000);
    expect((await read()).snapshot).toBe('completed 100%');
  });
});
