import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, expect, test } from 'vitest';
import type { Project, ProjectInput } from '../../../src/shared/project';
import { BakeHarness, project, REGION } from '../bake/harness';

let h: BakeHarness;
afterEach(async () => h.close());

const COPIES = ['us-west-2', 'eu-central-1'];
const REGIONS = [REGION, ...COPIES];
const ACCOUNT = '111122223333';
const DAY = 86_400_000;

function lifecycleProject(retention: ProjectInput['retention'] = { keep: 2, pruneAfterBake: true }): Project {
  return project({
    distribution: {
      regions: COPIES,
      shareWith: { accounts: [ACCOUNT] },
      encryption: { kmsKeyId: 'alias/quadraxis-images' },
      ssmParameter: '/images/{project}/latest',
    },
    retention,
  });
}

/** Three bakes of the same project (forced: identical inputs would otherwise be refused). */
async function bakeThrice(p: Project): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const record = await h.bake(p, undefined, { force: true });
    expect(record.status, record.message).toBe('succeeded');
    ids.push(record.id);
    await h.clock.advance(DAY);
  }
  return ids;
}

const imagesOf = (bakeId: string, region: string) =>
  h.sim.images({ region }).filter((i) => i.tags['quadraxis:bake-id'] === bakeId);
const snapshotsOf = (bakeId: string, region: string) =>
  h.sim.snapshots({ region }).filter((s) => s.tags['quadraxis:bake-id'] === bakeId);

test('three bakes with keep: 2 leave exactly the two newest images everywhere, encrypted, shared, published', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 6_000 } });
  const [oldest, middle, newest] = await bakeThrice(lifecycleProject());
  for (const region of REGIONS) {
    const key = h.sim.kmsKey(region, 'alias/quadraxis-images')!.arn;
    expect(imagesOf(oldest!, region), region).toEqual([]);
    expect(snapshotsOf(oldest!, region), region).toEqual([]);
    for (const bakeId of [middle!, newest!]) {
      const [image] = imagesOf(bakeId, region);
      expect(image, `${bakeId} in ${region}`).toMatchObject({
        state: 'available',
        encrypted: true,
        kmsKeyIds: [key],
        launchPermissions: { userIds: [ACCOUNT] },
      });
      expect(snapshotsOf(bakeId, region).map((s) => s.snapshotId)).toEqual(image!.snapshotIds);
      expect(snapshotsOf(bakeId, region)[0]).toMatchObject({ encrypted: true, kmsKeyId: key });
    }
    expect(h.sim.images({ region })).toHaveLength(2);
    expect(h.sim.parameters({ region })).toEqual([
      expect.objectContaining({ name: '/images/web/latest', value: imagesOf(newest!, region)[0]!.imageId }),
    ]);
  }
  const third = await h.store.bakes.get(newest!);
  expect(third?.steps.find((s) => s.step === 'prune')).toMatchObject({
    status: 'done',
    message: expect.stringMatching(/^retired 3; kept 6$/),
  });
  // The versions still tell the whole story, the retired one included.
  expect((await h.store.versions.list('web')).map((v) => v.images?.length)).toEqual([3, 3, 3]);
});

test('an image something still uses is kept, and the plan says why; it goes once nothing uses it', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 6_000 } });
  const p = lifecycleProject({ keep: 2 });
  const [oldest] = await bakeThrice(p);
  const old = imagesOf(oldest!, 'us-west-2')[0]!;
  const west =
    h.clients.get('us-west-2') ?? (await h.connect({ profile: 'sandbox', region: 'us-west-2' })).clients;
  const run = await west.ec2.send(
    new RunInstancesCommand({ ImageId: old.imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
  );
  const instanceId = run.Instances![0]!.InstanceId!;
  const pruner = h.engine().pruner!;
  const request = { project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url };
  const plan = await pruner.plan(request);
  const verdict = (region: string, bakeId: string) =>
    plan.images.find((i) => i.region === region && i.bakeId === bakeId);
  expect(verdict('us-west-2', oldest!)).toMatchObject({
    action: 'keep',
    reasons: [`in use: instance ${instanceId} (pending)`],
    usage: [{ kind: 'instance', id: instanceId }],
  });
  for (const region of [REGION, 'eu-central-1']) {
    expect(verdict(region, oldest!)).toMatchObject({
      action: 'deregister',
      version: 1,
      reasons: ['not among the newest 2 (#3); not in use'],
    });
  }
  expect(plan.images.filter((i) => i.action === 'keep' && i.bakeId !== oldest)).toHaveLength(6);
  expect(plan.images.find((i) => i.region === REGION && i.version === 3)?.reasons).toEqual([
    `one of the newest 2 in ${REGION} (#1)`,
    'in use: parameter /images/web/latest (version 3)',
  ]);

  const report = await pruner.prune(request, () => Promise.resolve(true));
  expect(report.outcomes.map((o) => [o.region, o.result])).toEqual([
    [REGION, 'deregistered'],
    ['eu-central-1', 'deregistered'],
  ]);
  expect(imagesOf(oldest!, 'us-west-2')).toHaveLength(1);
  expect(snapshotsOf(oldest!, 'us-west-2')).toHaveLength(1);

  h.sim.terminateBehindBack(instanceId);
  await h.clock.advance(h.sim.timings.shuttingDownMs + 1);
  const later = await pruner.prune(request, () => Promise.resolve(true));
  expect(later.outcomes).toEqual([
    expect.objectContaining({
      region: 'us-west-2',
      imageId: old.imageId,
      result: 'deregistered',
      snapshotsDeleted: old.snapshotIds,
    }),
  ]);
  expect(snapshotsOf(oldest!, 'us-west-2')).toEqual([]);
});

test('maxAgeDays keeps the young, never empties a region, and a grace period disables before deregistering', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 6_000 } });
  const p = project({ retention: { maxAgeDays: 2, disableForDays: 7 } });
  const [oldest, middle, newest] = await bakeThrice(p);
  const pruner = h.engine().pruner!;
  const request = { project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url };
  // Ages now: 3, 2 and 1 days.
  const first = await pruner.prune(request, () => Promise.resolve(true));
  expect(first.outcomes.map((o) => o.result)).toEqual(['disabled', 'disabled']);
  expect(h.sim.images().map((i) => [i.tags['quadraxis:bake-id'], i.state])).toEqual([
    [oldest, 'disabled'],
    [middle, 'disabled'],
    [newest, 'available'],
  ]);
  // Ten days on: the newest is old too but stays (the region's newest), the disabled ones' grace is over.
  await h.clock.advance(10 * DAY);
  const plan = await pruner.plan(request);
  expect(plan.images.map((i) => [i.bakeId, i.action, i.reasons[0]])).toEqual([
    [newest, 'keep', `the newest image in ${REGION} is always kept`],
    [
      middle,
      'deregister',
      expect.stringMatching(/^disabled on \d{4}-\d\d-\d\d, its 7-day grace period is over$/),
    ],
    [oldest, 'deregister', expect.stringMatching(/grace period is over$/)],
  ]);
  await pruner.prune(request, () => Promise.resolve(true));
  expect(h.sim.images().map((i) => i.tags['quadraxis:bake-id'])).toEqual([newest]);
  expect(h.sim.snapshots().filter((s) => s.tags['quadraxis:bake-id'])).toHaveLength(1);
});

test('prune touches only images Quadraxis made for this project', async () => {
  h = await BakeHarness.create();
  const p = project({ retention: { keep: 1 } });
  await bakeThrice(p);
  const other = project({ name: 'api', retention: { keep: 1 } });
  await h.bake(other, undefined, { force: true });
  await h.bake(other, undefined, { force: true });
  const plan = await h
    .engine()
    .pruner!.plan({ project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url });
  expect(plan.images).toHaveLength(3);
  expect(plan.images.every((i) => i.name.startsWith('web-'))).toBe(true);
});

test('an image whose bake has not finished is in use: a copy may be reading it', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 60_000 } });
  const p = lifecycleProject({ keep: 1 });
  // A bake whose process died while copying: its record still says running until recovery settles it.
  const { engine, kill } = h.killable();
  const died = new Promise<string>((resolve) => {
    const off = engine.subscribe((e) => {
      if (e.type !== 'copy' || !e.imageId) return;
      kill();
      off();
      resolve(e.bakeId);
    });
  });
  await engine.start(h.request(p));
  const interrupted = await died;
  const later = await h.bake({ ...p, initScript: '#!/bin/sh\necho "another script"\n' });
  expect(later.status, later.message).toBe('succeeded');
  const plan = await h
    .engine()
    .pruner!.plan({ project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url });
  const home = plan.images.find((i) => i.region === REGION && i.bakeId === interrupted);
  expect(home).toMatchObject({ action: 'keep', reasons: [`in use: bake ${interrupted} (running)`] });
});
