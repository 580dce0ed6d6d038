import { DeregisterImageCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, expect, test } from 'vitest';
import type { ProjectInput } from '../../../src/shared/project';
import { BakeHarness, project, REGION } from '../bake/harness';

let h: BakeHarness;
afterEach(async () => h.close());

const COPIES = ['us-west-2', 'eu-central-1'];

function distributing(more: Partial<NonNullable<ProjectInput['distribution']>> = {}) {
  return project({
    distribution: {
      regions: COPIES,
      shareWith: { accounts: ['111122223333'] },
      encryption: { kmsKeyId: 'alias/quadraxis-images' },
      ssmParameter: '/images/{project}/latest',
      ...more,
    },
  });
}

const everything = () => ({
  images: h.sim.images().map((i) => `${i.region} ${i.imageId} ${i.state}`),
  snapshots: h.sim
    .snapshots()
    .filter((s) => s.tags['quadraxis:bake-id'])
    .map((s) => `${s.region} ${s.snapshotId}`),
  parameters: h.sim.parameters().map((p) => `${p.region} ${p.name}`),
});

test('a copy that fails in one region fails the bake with its reason and removes everything, copies included', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 8_000 } });
  h.sim.setScenario({ copyFailsIn: ['eu-central-1'] });
  const record = await h.bake(distributing());
  expect(record.status).toBe('failed');
  expect(record.error).toMatchObject({
    step: 'copy',
    message: expect.stringMatching(
      /^Copy to eu-central-1 failed: ami-\w+ is failed \(Copy image failed with an internal error\.\)\.$/,
    ),
    details: { region: 'eu-central-1' },
  });
  expect(record.steps.find((s) => s.step === 'share')?.status).toBe('skipped');
  expect(record.cleanedUp).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^deregistered ami-\w+$/),
      expect.stringMatching(/^deregistered ami-\w+ in us-west-2$/),
      expect.stringMatching(/^deregistered ami-\w+ in eu-central-1$/),
      expect.stringMatching(/^deleted snap-\w+ in us-west-2$/),
    ]),
  );
  expect(everything()).toEqual({ images: [], snapshots: [], parameters: [] });
  await h.expectNoLeaks();
  expect(await h.store.versions.list('web')).toEqual([]);
});

test('with allowPartial the bake succeeds with the regions that worked, and the version says which did not', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 8_000 } });
  h.sim.setScenario({ copyFailsIn: ['eu-central-1'] });
  const record = await h.bake(distributing({ allowPartial: true }));
  expect(record.status, record.message).toBe('succeeded');
  expect(record.steps.find((s) => s.step === 'copy')?.message).toMatch(
    /^ami-\w+ \(us-west-2\); not copied to eu-central-1 \(ami-\w+ is failed/,
  );
  expect(h.sim.images({ region: 'eu-central-1' })).toEqual([]);
  expect(h.sim.snapshots({ region: 'eu-central-1' }).filter((s) => s.tags['quadraxis:bake-id'])).toEqual([]);
  const [version] = await h.store.versions.list('web');
  expect(version?.images?.map((i) => i.region)).toEqual([REGION, 'us-west-2']);
  expect(version?.missingRegions).toEqual([
    { region: 'eu-central-1', reason: expect.stringContaining('Copy image failed with an internal error') },
  ]);
  expect(
    h.sim
      .parameters()
      .map((p) => p.region)
      .sort(),
  ).toEqual([REGION, 'us-west-2'].sort());
});

test('a KMS key that does not exist in one region fails preflight, before anything is launched', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(
    distributing({
      encryption: { kmsKeyId: 'alias/quadraxis-images', kmsKeyIds: { 'us-west-2': 'alias/nope' } },
    }),
  );
  expect(record.status).toBe('failed');
  expect(record.error).toMatchObject({
    step: 'preflight',
    code: 'INVALID_INPUT',
    message:
      'distribution.encryption: the KMS key alias/nope does not exist in us-west-2. KMS keys are regional: give us-west-2 its own key in kmsKeyIds.',
  });
  expect(h.sim.calls({ action: 'RunInstances' })).toEqual([]);
  expect(h.sim.instances()).toEqual([]);
});

test('a disabled key, or the AWS managed key with sharing, is refused in preflight too', async () => {
  h = await BakeHarness.create();
  const disabled = await h.bake(distributing({ encryption: { kmsKeyId: 'alias/quadraxis-retired' } }));
  expect(disabled.error?.message).toMatch(/alias\/quadraxis-retired in eu-west-1 is Disabled/);
  const key = h.sim.kmsKey('us-west-2', 'alias/aws/ebs')!.keyId;
  // A key id of the AWS managed key: the schema cannot tell, KMS can.
  const managed = await h.bake(
    distributing({
      regions: ['us-west-2'],
      encryption: { kmsKeyIds: { [REGION]: 'alias/quadraxis-images', 'us-west-2': key } },
    }),
  );
  expect(managed.error?.message).toMatch(
    /is an AWS managed key; an image encrypted with it cannot be shared/,
  );
  expect(h.sim.instances()).toEqual([]);
});

test('a share to a malformed account id is refused before anything is recorded or called', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const bad = {
    ...distributing(),
    distribution: {
      ...distributing().distribution!,
      shareWith: {
        accounts: ['1111-2222-3333'],
        organizations: [],
        organizationalUnits: [],
        snapshots: false,
      },
    },
  };
  await expect(engine.start(h.request(bad))).rejects.toMatchObject({
    code: 'INVALID_INPUT',
    message: expect.stringContaining('An AWS account id is 12 digits'),
  });
  expect(await h.store.bakes.list()).toEqual([]);
  expect(h.sim.calls()).toEqual([]);
});

test('a parameter that exists as text is refused in preflight: Parameter Store cannot change its data type', async () => {
  h = await BakeHarness.create();
  const west = (await h.connect({ profile: 'sandbox', region: 'us-west-2' })).clients;
  await west.ssm.send(
    new PutParameterCommand({ Name: '/images/web/latest', Value: 'hello', Type: 'String' }),
  );
  const record = await h.bake(distributing());
  expect(record.error).toMatchObject({
    step: 'preflight',
    message: expect.stringContaining('already exists in us-west-2 as a String of data type text'),
  });
  expect(h.sim.instances()).toEqual([]);
});

test('a publish Parameter Store rejects puts back the regions already switched and removes the bake', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 6_000 } });
  const p = distributing();
  const first = await h.bake(p);
  expect(first.status).toBe('succeeded');
  const before = h.sim.parameters().map((x) => [x.region, x.value]);
  // Someone deregisters the second bake's copy in eu-central-1 just as it is published there: Parameter
  // Store answers the put, then its validation drops it, and the read-back never sees it.
  const central = (await h.connect({ profile: 'sandbox', region: 'eu-central-1' })).clients;
  h.when(
    (e) => e.type === 'step' && e.step === 'publish' && e.status === 'running' && e.bakeId !== first.id,
    (e) => {
      const copy = h
        .eventsOf(e.bakeId)
        .find((c) => c.type === 'copy' && c.region === 'eu-central-1' && c.state === 'available');
      if (copy?.type === 'copy')
        void central.ec2.send(new DeregisterImageCommand({ ImageId: copy.imageId! }));
    },
  );
  const second = await h.bake(p, undefined, { force: true });
  expect(second.status).toBe('failed');
  expect(second.error?.message).toMatch(
    /^Could not publish \/images\/web\/latest: eu-central-1: Parameter Store did not take ami-\w+ \(version 2 never appeared\): its asynchronous aws:ec2:image validation rejected it\. Put \/images\/web\/latest back in eu-west-1, us-west-2, eu-central-1\.$/,
  );
  await h.clock.advance(h.sim.timings.ssmImageValidationMs + 1);
  expect(h.sim.parameters().map((x) => [x.region, x.value])).toEqual(before);
  // Only the first bake's images are left, one per region.
  expect(h.sim.images().map((i) => i.tags['quadraxis:bake-id'])).toEqual([first.id, first.id, first.id]);
  expect(h.sim.snapshots().filter((s) => s.tags['quadraxis:bake-id'] === second.id)).toEqual([]);
});

test('killed while copying: the next process resumes the copies it started (ClientToken), none twice', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 20_000 } });
  const { engine, kill } = h.killable();
  const died = new Promise<string>((resolve) => {
    const off = engine.subscribe((e) => {
      if (e.type !== 'copy' || !e.imageId) return;
      // The first copy's id is journaled; the second CopyImage may or may not have been answered.
      kill();
      off();
      resolve(e.bakeId);
    });
  });
  await engine.start(h.request(distributing()));
  const bakeId = await died;
  const survivor = h.engine({}, h.survivorStore());
  const report = await survivor.recover();
  expect(report.bakes).toEqual([expect.objectContaining({ bakeId, outcome: 'resumed' })]);
  const record = await survivor.waitForFinal(bakeId);
  expect(record.status, record.message).toBe('succeeded');
  for (const region of COPIES) {
    expect(h.sim.images({ region }), region).toHaveLength(1);
    expect(
      h.sim.calls({ action: 'CopyImage' }).filter((c) => c.region === region).length,
    ).toBeGreaterThanOrEqual(1);
  }
  const [version] = await h.store.versions.list('web');
  expect(version?.images?.map((i) => i.imageId)).toEqual([
    record.imageId,
    ...COPIES.map((region) => h.sim.images({ region })[0]!.imageId),
  ]);
});
