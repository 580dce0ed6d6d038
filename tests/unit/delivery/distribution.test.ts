import { afterEach, expect, test } from 'vitest';
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
