import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, expect, test } from 'vitest';
import type { Project } from '../../../src/shared/project';
import { BakeHarness, project, REGION } from '../bake/harness';

let h: BakeHarness;
afterEach(async () => h.close());

const COPIES = ['us-west-2', 'eu-central-1'];
const DAY = 86_400_000;

function lifecycleProject(pruneAfterBake = true): Project {
  return project({
    distribution: {
      regions: COPIES,
      shareWith: { accounts: ['111122223333'] },
      encryption: { kmsKeyId: 'alias/quadraxis-images' },
      ssmParameter: '/images/{project}/latest',
    },
    retention: { keep: 2, pruneAfterBake },
  });
}

const imageOf = (bakeId: string, region: string) =>
  h.sim.images({ region }).find((i) => i.tags['quadraxis:bake-id'] === bakeId);

const clientsIn = async (region: string) => (await h.connect({ profile: 'sandbox', region })).clients;

test('Done when: three bakes with keep: 2, a launch template still on the oldest image in one region keeps it there', async () => {
  h = await BakeHarness.create({ timings: { copyImageMs: 6_000 } });
  const p = lifecycleProject();
  const first = await h.bake(p);
  await h.clock.advance(DAY);
  const west = await clientsIn('us-west-2');
  const oldestWest = imageOf(first.id, 'us-west-2')!;
  const template = await west.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web-lt',
      LaunchTemplateData: { ImageId: oldestWest.imageId, InstanceType: 't3.micro' },
    }),
  );
  const templateId = template.LaunchTemplate!.LaunchTemplateId!;
  const second = await h.bake(p, undefined, { force: true });
  await h.clock.advance(DAY);
  const third = await h.bake(p, undefined, { force: true });
  expect([second.status, third.status]).toEqual(['succeeded', 'succeeded']);

  expect(imageOf(first.id, 'us-west-2')).toMatchObject({ imageId: oldestWest.imageId, state: 'available' });
  expect(h.sim.snapshots({ region: 'us-west-2' }).map((s) => s.snapshotId)).toEqual(
    expect.arrayContaining(oldestWest.snapshotIds),
  );
  for (const region of [REGION, 'eu-central-1']) {
    expect(imageOf(first.id, region), region).toBeUndefined();
    expect(h.sim.snapshots({ region }).filter((s) => s.tags['quadraxis:bake-id'] === first.id)).toEqual([]);
  }
  for (const region of [REGION, ...COPIES]) {
    expect(imageOf(second.id, region)?.state).toBe('available');
    expect(imageOf(third.id, region)?.state).toBe('available');
    expect(h.sim.parameters({ region })[0]?.value).toBe(imageOf(third.id, region)?.imageId);
  }
  // The bake said so; so does a plan made now.
  expect(third.steps.find((s) => s.step === 'prune')?.message).toBe('retired 2; kept 7');
  const plan = await h
    .engine()
    .pruner!.plan({ project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url });
  expect(plan.images.find((i) => i.imageId === oldestWest.imageId)).toMatchObject({
    action: 'keep',
    reasons: [`in use: launch template ${templateId} (web-lt default and latest version 1)`],
  });
});

test('a launch template version that resolves a parameter to the image keeps it; only default and latest count', async () => {
  h = await BakeHarness.create();
  const p = project({ retention: { keep: 1 } });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    ids.push((await h.bake(p, undefined, { force: true })).imageId!);
    await h.clock.advance(DAY);
  }
  const [, pinned, superseded] = [ids[2], ids[1], ids[0]];
  const home = await clientsIn(REGION);
  await home.ssm.send(
    new PutParameterCommand({
      Name: '/pinned/web',
      Value: pinned!,
      Type: 'String',
      DataType: 'aws:ec2:image',
    }),
  );
  await h.clock.advance(h.sim.timings.ssmImageValidationMs + 1);
  const lt = await home.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'pinned',
      LaunchTemplateData: { ImageId: superseded, InstanceType: 't3.micro' },
    }),
  );
  // Version 1 (no longer default or latest) used the superseded image; version 2 resolves the parameter.
  await home.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId,
      LaunchTemplateData: { ImageId: 'resolve:ssm:/pinned/web', InstanceType: 't3.micro' },
    }),
  );
  await home.ec2.send(
    new ModifyLaunchTemplateCommand({
      LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId,
      DefaultVersion: '2',
    }),
  );
  const plan = await h
    .engine()
    .pruner!.plan({ project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url });
  const verdict = (imageId: string) => plan.images.find((i) => i.imageId === imageId);
  expect(verdict(pinned!)).toMatchObject({
    action: 'keep',
    usage: [
      {
        kind: 'launch-template',
        detail: 'pinned default and latest version 2 via resolve:ssm:/pinned/web',
      },
    ],
  });
  expect(verdict(superseded!)).toMatchObject({ action: 'deregister' });
});

test('an Auto Scaling group keeps what it launches: a template version it names, or its launch configuration', async () => {
  h = await BakeHarness.create();
  const p = project({ retention: { keep: 1 } });
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    ids.push((await h.bake(p, undefined, { force: true })).imageId!);
    await h.clock.advance(DAY);
  }
  const home = await clientsIn(REGION);
  const autoScaling = home.autoScaling;
  const lt = await home.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'fleet',
      LaunchTemplateData: { ImageId: ids[0], InstanceType: 't3.micro' },
    }),
  );
  const templateId = lt.LaunchTemplate!.LaunchTemplateId!;
  await home.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: templateId,
      LaunchTemplateData: { ImageId: ids[3], InstanceType: 't3.micro' },
    }),
  );
  await home.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templateId, DefaultVersion: '2' }));
  // The group names version 1 explicitly: the template's default and latest are both version 2 (newest image).
  await autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'pinned-fleet',
      LaunchTemplate: { LaunchTemplateId: templateId, Version: '1' },
      MinSize: 0,
      MaxSize: 1,
      DesiredCapacity: 0,
      AvailabilityZones: [`${REGION}a`],
    }),
  );
  await autoScaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: 'legacy',
      ImageId: ids[1],
      InstanceType: 't3.micro',
    }),
  );
  await autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'legacy-fleet',
      LaunchConfigurationName: 'legacy',
      MinSize: 0,
      MaxSize: 1,
      DesiredCapacity: 0,
      AvailabilityZones: [`${REGION}a`],
    }),
  );
  const plan = await h
    .engine()
    .pruner!.plan({ project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url });
  const verdict = (imageId: string) => plan.images.find((i) => i.imageId === imageId);
  expect(verdict(ids[0]!)).toMatchObject({
    action: 'keep',
    reasons: ['in use: Auto Scaling group pinned-fleet (desired 0, launches from fleet 1)'],
  });
  expect(verdict(ids[1]!)).toMatchObject({
    action: 'keep',
    reasons: ['in use: Auto Scaling group legacy-fleet (desired 0, launch configuration legacy)'],
  });
  expect(verdict(ids[2]!)).toMatchObject({ action: 'deregister' });
  expect(verdict(ids[3]!)?.reasons).toEqual([
    `one of the newest 1 in ${REGION} (#1)`,
    `in use: launch template ${templateId} (fleet default and latest version 2)`,
  ]);
});

test('an image an environment’s own parameter names is in use: prod rolled back to its older image keeps it', async () => {
  h = await BakeHarness.create();
  const p = project({
    distribution: { ssmParameter: '/images/{project}/{environment}/latest' },
    retention: { keep: 1 },
    environments: { prod: { env: { STAGE: 'prod' } }, dev: { env: { STAGE: 'dev' } } },
  });
  const prod1 = await h.bake(p, undefined, { environment: 'prod' });
  await h.clock.advance(DAY);
  const prod2 = await h.bake(p, undefined, { environment: 'prod', force: true });
  await h.clock.advance(DAY);
  const dev1 = await h.bake(p, undefined, { environment: 'dev', force: true });
  await h.clock.advance(DAY);
  const dev2 = await h.bake(p, undefined, { environment: 'dev', force: true });
  // Prod found a problem in its newest image and pointed its parameter back at the one before.
  const home = await clientsIn(REGION);
  await home.ssm.send(
    new PutParameterCommand({
      Name: '/images/web/prod/latest',
      Value: prod1.imageId!,
      Type: 'String',
      DataType: 'aws:ec2:image',
      Overwrite: true,
    }),
  );
  await h.clock.advance(h.sim.timings.ssmImageValidationMs + 1);
  const plan = await h
    .engine()
    .pruner!.plan({ project: p, profile: 'sandbox', region: REGION, endpoint: h.sandbox.url });
  const verdict = (imageId: string | undefined) => plan.images.find((i) => i.imageId === imageId);
  expect(verdict(prod1.imageId)).toMatchObject({
    action: 'keep',
    usage: [{ kind: 'ssm-parameter', id: '/images/web/prod/latest' }],
  });
  expect(verdict(dev2.imageId)).toMatchObject({
    action: 'keep',
    usage: [{ kind: 'ssm-parameter', id: '/images/web/dev/latest' }],
  });
  expect(verdict(prod2.imageId)).toMatchObject({ action: 'keep', usage: [] });
  expect(verdict(dev1.imageId)).toMatchObject({ action: 'deregister' });
});
