import { DeleteTagsCommand } from '@aws-sdk/client-ec2';
import { afterEach, expect, test } from 'vitest';
import { TAG_ENVIRONMENT } from '../../../src/protocol/builder-tags';
import type { ProjectInput } from '../../../src/shared/project';
import { BakeHarness, project, REGION } from '../bake/harness';

let h: BakeHarness;
afterEach(async () => h.close());

const COPIES = ['us-west-2', 'eu-central-1'];
const ACCOUNT = '111122223333';

function distributing(more: Partial<NonNullable<ProjectInput['distribution']>> = {}) {
  return project({
    distribution: {
      regions: COPIES,
      shareWith: { accounts: [ACCOUNT] },
      encryption: { kmsKeyId: 'alias/quadraxis-images' },
      ssmParameter: '/images/{project}/latest',
      ...more,
    },
  });
}

test('a distributing bake encrypts at launch, copies, shares and publishes in every region', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 6_000 } });
  const record = await h.bake(distributing());
  expect(record.status, record.message).toBe('succeeded');
  expect(record.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
    'preflight:done',
    'launch:done',
    'wait-running:done',
    'run-script:done',
    'stop:done',
    'create-image:done',
    'wait-image:done',
    'terminate:done',
    'copy:done',
    'share:done',
    'publish:done',
    'record:done',
  ]);
  const regions = [REGION, ...COPIES];
  for (const region of regions) {
    const [image] = h.sim.images({ region });
    const key = h.sim.kmsKey(region, 'alias/quadraxis-images')!.arn;
    expect(image, region).toMatchObject({
      state: 'available',
      encrypted: true,
      kmsKeyIds: [key],
      launchPermissions: { userIds: [ACCOUNT] },
      tags: expect.objectContaining({ 'quadraxis:project': 'web', 'quadraxis:bake-id': record.id }),
    });
    expect(h.sim.snapshots({ region }).filter((s) => s.tags['quadraxis:bake-id'] === record.id)).toEqual([
      expect.objectContaining({ encrypted: true, kmsKeyId: key }),
    ]);
    expect(h.sim.parameters({ region })).toEqual([
      expect.objectContaining({
        name: '/images/web/latest',
        value: image!.imageId,
        dataType: 'aws:ec2:image',
      }),
    ]);
  }
  const [version] = await h.store.versions.list('web');
  expect(version?.images?.map((i) => i.region)).toEqual(regions);
  expect(version?.ssmParameter).toBe('/images/web/latest');
  expect(record.copies?.map((c) => [c.region, c.state])).toEqual(COPIES.map((r) => [r, 'available']));
});

test('deprecateOlder deprecates the project’s older images in every region once the new one is published', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 6_000 } });
  const p = distributing({ deprecateOlder: true });
  const first = await h.bake(p);
  const second = await h.bake(p, undefined, { force: true });
  expect(second.steps.find((s) => s.step === 'publish')?.message).toMatch(/; deprecated 3 older images$/);
  for (const region of [REGION, ...COPIES]) {
    const byBake = (id: string) => h.sim.images({ region }).find((i) => i.tags['quadraxis:bake-id'] === id);
    expect(byBake(first.id)?.deprecationTime, region).toBeGreaterThan(h.clock.now() - 120_000);
    expect(byBake(second.id)?.deprecationTime, region).toBeUndefined();
  }
});

/** A project baked for dev and prod, publishing one parameter per environment. */
function withEnvironments(more: Partial<NonNullable<ProjectInput['distribution']>> = {}) {
  return project({
    distribution: {
      regions: ['us-west-2'],
      ssmParameter: '/images/{project}/{environment}/latest',
      ...more,
    },
    environments: { prod: { env: { STAGE: 'prod' } }, dev: { env: { STAGE: 'dev' } } },
  });
}

test('prod and dev bakes publish /images/web/prod/latest and /images/web/dev/latest, each with its own image', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 6_000 } });
  const p = withEnvironments();
  const prod = await h.bake(p, undefined, { environment: 'prod' });
  const dev = await h.bake(p, undefined, { environment: 'dev', force: true });
  const own = await h.bake(p, undefined, { force: true });
  expect([prod.status, dev.status, own.status]).toEqual(['succeeded', 'succeeded', 'succeeded']);
  for (const region of [REGION, 'us-west-2']) {
    const imageOf = (id: string) =>
      h.sim.images({ region }).find((i) => i.tags['quadraxis:bake-id'] === id)!.imageId;
    const published = Object.fromEntries(h.sim.parameters({ region }).map((p) => [p.name, p.value]));
    expect(published, region).toEqual({
      '/images/web/prod/latest': imageOf(prod.id),
      '/images/web/dev/latest': imageOf(dev.id),
      '/images/web/default/latest': imageOf(own.id),
    });
  }
  const versions = await h.store.versions.list('web');
  expect(versions.map((v) => [v.environment, v.ssmParameter])).toEqual([
    [undefined, '/images/web/default/latest'],
    ['dev', '/images/web/dev/latest'],
    ['prod', '/images/web/prod/latest'],
  ]);
});

test('deprecateOlder deprecates only older images of the bake’s own environment: a dev bake leaves prod’s alone', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 6_000 } });
  const p = withEnvironments({ deprecateOlder: true });
  const regions = [REGION, 'us-west-2'];
  const byBake = (id: string, region: string) =>
    h.sim.images({ region }).find((i) => i.tags['quadraxis:bake-id'] === id)!;
  const deprecated = (id: string) => regions.map((r) => byBake(id, r).deprecationTime !== undefined);

  const prod = await h.bake(p, undefined, { environment: 'prod' });
  // Prod's images as a bake from before the environment tag left them: only its version says "prod".
  for (const region of regions) {
    const { ec2 } = (await h.connect({ profile: 'sandbox', region })).clients;
    await ec2.send(
      new DeleteTagsCommand({
        Resources: [byBake(prod.id, region).imageId],
        Tags: [{ Key: TAG_ENVIRONMENT }],
      }),
    );
  }
  const own = await h.bake(p, undefined, { force: true });
  const dev1 = await h.bake(p, undefined, { environment: 'dev', force: true });
  const dev2 = await h.bake(p, undefined, { environment: 'dev', force: true });
  expect(dev2.steps.find((s) => s.step === 'publish')?.message).toMatch(/; deprecated 2 older images$/);
  expect(deprecated(dev1.id)).toEqual([true, true]);
  expect(deprecated(prod.id)).toEqual([false, false]);
  expect(deprecated(own.id)).toEqual([false, false]);
  expect(deprecated(dev2.id)).toEqual([false, false]);

  // A bake of the project's own values retires its own predecessor — not prod's untagged, recorded image.
  const own2 = await h.bake(p, undefined, { force: true });
  expect(own2.steps.find((s) => s.step === 'publish')?.message).toMatch(/; deprecated 2 older images$/);
  expect(deprecated(own.id)).toEqual([true, true]);
  expect(deprecated(prod.id)).toEqual([false, false]);
  expect(deprecated(dev2.id)).toEqual([false, false]);
});
