import { DeregisterImageCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, expect, test } from 'vitest';
import { readJournal, writeJournal } from '../../../src/main/services/delivery/retention/journal';
import type { Project } from '../../../src/shared/project';
import { BakeHarness, project, REGION } from '../bake/harness';

let h: BakeHarness;
afterEach(async () => h.close());

const DAY = 86_400_000;

async function threeImages(p: Project) {
  for (let i = 0; i < 3; i++) {
    expect((await h.bake(p, undefined, { force: true })).status).toBe('succeeded');
    await h.clock.advance(DAY);
  }
  return h.sim.images();
}

/**
 * What a prune killed mid-way leaves: a journal naming what it set out to retire, one image already
 * deregistered (its snapshots not yet deleted — after DeregisterImage only the journal still knows them),
 * another not yet touched. The next prune finishes both, asking again whether the untouched one is in use.
 */
test('the next prune finishes an interrupted one: orphaned snapshots deleted, an image now in use kept', async () => {
  h = await BakeHarness.create();
  const p = project({ retention: { keep: 1 } });
  const [first, second] = await threeImages(p);
  const ec2 = (await h.connect({ profile: 'sandbox', region: REGION })).clients.ec2;
  await ec2.send(new DeregisterImageCommand({ ImageId: first!.imageId }));
  await writeJournal(h.dataDir, {
    id: 'pr_test',
    project: 'web',
    profile: 'sandbox',
    endpoint: h.sandbox.url,
    startedAt: h.clock.now(),
    entries: [
      {
        region: REGION,
        imageId: first!.imageId,
        action: 'deregister',
        snapshotIds: first!.snapshotIds,
        state: 'image-gone',
        deletedSnapshots: [],
      },
      {
        region: REGION,
        imageId: second!.imageId,
        action: 'deregister',
        snapshotIds: second!.snapshotIds,
        state: 'planned',
        deletedSnapshots: [],
      },
    ],
  });
  // Meanwhile someone launched an instance from the second image: it must survive.
  const run = await ec2.send(
    new RunInstancesCommand({ ImageId: second!.imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
  );
  const pruner = h.engine().pruner!;
  const request = { project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url };
  const plan = await pruner.plan(request);
  expect(plan.unfinished?.pending.map((e) => [e.imageId, e.state])).toEqual([
    [first!.imageId, 'image-gone'],
    [second!.imageId, 'planned'],
  ]);
  const report = await pruner.prune(request, () => Promise.resolve(true));
  expect(report.outcomes).toEqual([
    expect.objectContaining({
      imageId: first!.imageId,
      result: 'deregistered',
      snapshotsDeleted: first!.snapshotIds,
      resumed: true,
    }),
    expect.objectContaining({
      imageId: second!.imageId,
      result: 'skipped',
      resumed: true,
      message: `in use: instance ${run.Instances![0]!.InstanceId!} (pending)`,
    }),
  ]);
  expect(h.sim.snapshots().some((s) => first!.snapshotIds.includes(s.snapshotId))).toBe(false);
  expect(h.sim.images().map((i) => i.imageId)).toContain(second!.imageId);
  expect((await readJournal(h.dataDir, 'web'))?.finishedAt).toBeDefined();
});

test('a retirement that fails leaves the journal unfinished, and the next prune carries it on', async () => {
  h = await BakeHarness.create();
  const p = project({ retention: { keep: 2 } });
  const [oldest] = await threeImages(p);
  const pruner = h.engine().pruner!;
  const request = { project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url };
  h.sim.injectFault({ action: 'DeleteSnapshot', fault: 'Unavailable', count: 1_000 });
  const broken = await pruner.prune(request, () => Promise.resolve(true));
  expect(broken.outcomes).toEqual([expect.objectContaining({ imageId: oldest!.imageId, result: 'failed' })]);
  const journal = await readJournal(h.dataDir, 'web');
  expect(journal?.finishedAt).toBeUndefined();
  expect(journal?.entries[0]).toMatchObject({ state: 'image-gone', snapshotIds: oldest!.snapshotIds });
  // The image is gone; only the journal still knows its snapshots.
  expect(h.sim.images().map((i) => i.imageId)).not.toContain(oldest!.imageId);
  h.sim.clearFaults();
  const mended = await pruner.prune(request, () => Promise.resolve(true));
  expect(mended.outcomes).toEqual([
    expect.objectContaining({
      imageId: oldest!.imageId,
      result: 'deregistered',
      resumed: true,
      snapshotsDeleted: oldest!.snapshotIds,
    }),
  ]);
  expect(h.sim.snapshots().filter((s) => s.tags['quadraxis:bake-id'])).toHaveLength(2);
});

test('a dry run (or a no) changes nothing and journals nothing', async () => {
  h = await BakeHarness.create();
  const p = project({ retention: { keep: 1 } });
  await threeImages(p);
  const before = h.sim.calls().length;
  const report = await h
    .engine()
    .pruner!.prune({ project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url }, () =>
      Promise.resolve(false),
    );
  expect(report).toMatchObject({ acted: false, outcomes: [] });
  expect(report.plan.images.map((i) => i.action)).toEqual(['keep', 'deregister', 'deregister']);
  expect(h.sim.images()).toHaveLength(3);
  expect(
    h.sim
      .calls()
      .slice(before)
      .filter((c) => !c.action.startsWith('Describe') && c.action !== 'GetParameter'),
  ).toEqual([]);
  expect(await readJournal(h.dataDir, 'web')).toBeUndefined();
});

test('the person confirms some images: only those, and only if the fresh plan still retires them', async () => {
  h = await BakeHarness.create();
  const p = project({ retention: { keep: 1 } });
  const [a, b] = await threeImages(p);
  const report = await h
    .engine()
    .pruner!.prune({ project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url }, () =>
      Promise.resolve([b!.imageId, 'ami-0123456789abcdef0']),
    );
  expect(report.outcomes.map((o) => o.imageId)).toEqual([b!.imageId]);
  expect(h.sim.images().map((i) => i.imageId)).toContain(a!.imageId);
});
