import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { imageInRegion } from '../../../src/main/services/deploy/plan';
import type { Version } from '../../../src/shared/bake';
import { AppError } from '../../../src/shared/result';
import { versionInput } from '../../helpers/version-input';
import { AMI_ARM, AMI_V1, AMI_V2, DeployHarness, REGION } from './harness';

let h: DeployHarness;
beforeEach(async () => {
  h = await DeployHarness.create();
});
afterEach(() => h.close());

const MUTATING = [
  'CreateLaunchTemplateVersion',
  'ModifyLaunchTemplate',
  'StartInstanceRefresh',
  'UpdateAutoScalingGroup',
];

/** A refusal: the reason and words it gives, with nothing changed and nothing recorded. */
async function refusal(
  more: Parameters<DeployHarness['request']>[0] = {},
): Promise<{ code: string; reason?: string; message: string }> {
  const deploy = h.service();
  const before = h.sim.calls().filter((c) => MUTATING.includes(c.action)).length;
  try {
    await deploy.start(h.request(more));
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect(h.sim.calls().filter((c) => MUTATING.includes(c.action)).length).toBe(before);
    expect(await h.store.deployments.list('web')).toEqual([]);
    return { code: e.code, ...(e.details?.reason ? { reason: e.details.reason } : {}), message: e.message };
  }
  throw new Error('expected the deploy to be refused');
}

describe('safety checks before anything changes', () => {
  it('refuses a group whose refresh is still running', async () => {
    await h.group();
    await h.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'web-asg' }));
    const refused = await refusal();
    expect(refused).toMatchObject({ code: 'CONFLICT', reason: 'refresh-running' });
    expect(refused.message).toMatch(/already has instance refresh .* (Pending|InProgress)/);
    expect(await h.latestVersion()).toBe(1);
  });

  it('refuses an image whose architecture the group cannot launch', async () => {
    await h.group({ imageId: AMI_ARM, instanceType: 't4g.micro' });
    const refused = await refusal();
    expect(refused).toMatchObject({ code: 'CONFLICT', reason: 'architecture' });
    expect(refused.message).toContain(`${AMI_V2} is x86_64, but group web-asg launches t4g.micro`);
  });

  it('refuses a version that has no image in the group’s region', async () => {
    await h.group();
    await h.store.versions.record(
      versionInput('web', { region: 'us-east-1', imageId: AMI_V2, bakeId: 'bk_0000000003aaaaaaaaaa' }),
    );
    const refused = await refusal({ version: 3 });
    expect(refused).toMatchObject({ code: 'CONFLICT', reason: 'not-in-region' });
    expect(refused.message).toContain('has no image in eu-west-1 (it was baked in us-east-1)');
  });

  it('refuses an image the group’s account cannot see', async () => {
    await h.group();
    await h.store.versions.record(
      versionInput('web', {
        region: REGION,
        imageId: 'ami-0123456789abcdef0',
        bakeId: 'bk_0000000003aaaaaaaaaa',
      }),
    );
    const refused = await refusal({ version: 3 });
    expect(refused).toMatchObject({ code: 'CONFLICT', reason: 'not-shared' });
    expect(refused.message).toContain('cannot be seen from account 123456789012 in eu-west-1');
  });

  it('refuses a group that launches from a launch configuration, or from $Latest, saying what to do', async () => {
    await h.asg.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'old',
        ImageId: AMI_V1,
        InstanceType: 't3.micro',
      }),
    );
    await h.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web-asg',
        LaunchConfigurationName: 'old',
        MinSize: 1,
        MaxSize: 1,
        AvailabilityZones: [`${REGION}a`],
      }),
    );
    const lc = await refusal();
    expect(lc).toMatchObject({ code: 'CONFLICT', reason: 'launch-configuration' });
    expect(lc.message).toContain('Copy to launch template');

    const created = await h.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'latest',
        LaunchTemplateData: { ImageId: AMI_V1, InstanceType: 't3.micro' },
      }),
    );
    await h.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'latest-asg',
        LaunchTemplate: { LaunchTemplateId: created.LaunchTemplate!.LaunchTemplateId!, Version: '$Latest' },
        MinSize: 1,
        MaxSize: 1,
        AvailabilityZones: [`${REGION}a`],
      }),
    );
    expect(await refusal({ group: 'latest-asg' })).toMatchObject({
      code: 'CONFLICT',
      reason: 'latest-version',
    });
  });

  it('refuses a group that already runs the image, and a group that does not exist', async () => {
    await h.group({ imageId: AMI_V2 });
    expect(await refusal()).toMatchObject({ code: 'CONFLICT', reason: 'same-image' });
    expect(await refusal({ group: 'nope' })).toMatchObject({ code: 'NOT_FOUND', reason: 'no-group' });
  });

  it('checks every instance type of a mixed instances policy, and deploys through it', async () => {
    const created = await h.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'web',
        LaunchTemplateData: { ImageId: AMI_V1, InstanceType: 't3.micro' },
      }),
    );
    h.templateId = created.LaunchTemplate!.LaunchTemplateId!;
    await h.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web-asg',
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: h.templateId, Version: '1' },
            Overrides: [{ InstanceType: 't3.micro' }, { InstanceType: 't3.small' }],
          },
        },
        MinSize: 2,
        MaxSize: 4,
        AvailabilityZones: [`${REGION}a`, `${REGION}b`],
      }),
    );
    await h.clock.sleep(30_000);
    const deploy = h.service();
    const final = await deploy.waitForFinal(
      (await deploy.start(h.request({ preferences: { minHealthyPercentage: 50 } }))).id,
    );
    expect(final.status).toBe('succeeded');
    const group = (
      await h.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))
    ).AutoScalingGroups![0]!;
    expect(group.MixedInstancesPolicy?.LaunchTemplate?.Overrides?.map((o) => o.InstanceType)).toEqual([
      't3.micro',
      't3.small',
    ]);
    expect(group.Instances?.every((i) => i.ImageId === AMI_V2)).toBe(true);
  });
});

describe('where a version’s image is', () => {
  it('is its own region’s image, or a distributed copy', () => {
    const version = {
      ...versionInput('web', { region: 'eu-west-1', imageId: AMI_V1 }),
      version: 1,
      images: [{ region: 'us-west-2', imageId: 'ami-0aaaaaaaaaaaaaaaa' }],
    } as Version;
    expect(imageInRegion(version, 'eu-west-1')).toBe(AMI_V1);
    expect(imageInRegion(version, 'us-west-2')).toBe('ami-0aaaaaaaaaaaaaaaa');
    expect(imageInRegion(version, 'ap-south-1')).toBeUndefined();
  });
});
