import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingGroupsCommand as Describe,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand, DeleteLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN_HEADER } from '../../../src/sandbox';
import {
  AMI_ARM,
  AMI_V1,
  AMI_V2,
  SUBNETS,
  groupInstances,
  inService,
  openAsgSandbox,
  watchRefresh,
  webGroup,
  webTemplate,
  type AsgSandbox,
} from './autoscaling-helpers';
import { errorOf } from './helpers';

let t: AsgSandbox;
let templateId: string;
beforeEach(async () => {
  t = await openAsgSandbox();
  templateId = await webTemplate(t);
});
afterEach(() => t.close());

describe('how groups launch', () => {
  it('launches from a launch configuration', async () => {
    await t.asg.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'old-web',
        ImageId: AMI_V1,
        InstanceType: 't3.small',
      }),
    );
    await t.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'legacy',
        LaunchConfigurationName: 'old-web',
        MinSize: 2,
        MaxSize: 2,
        VPCZoneIdentifier: SUBNETS,
      }),
    );
    await t.clock.advance(30_000);
    const group = (
      await t.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['legacy'] }))
    ).AutoScalingGroups![0]!;
    expect(group.LaunchConfigurationName).toBe('old-web');
    expect(group.Instances?.map((i) => [i.LaunchConfigurationName, i.InstanceType, i.ImageId])).toEqual([
      ['old-web', 't3.small', AMI_V1],
      ['old-web', 't3.small', AMI_V1],
    ]);
  });

  it('spreads a mixed instances policy over its override types and refreshes it with a new version', async () => {
    await t.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web',
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: '1' },
            Overrides: [{ InstanceType: 't3.micro' }, { InstanceType: 't3.small' }],
          },
          InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 100 },
        },
        MinSize: 4,
        MaxSize: 4,
        VPCZoneIdentifier: SUBNETS,
      }),
    );
    await t.clock.advance(30_000);
    expect((await groupInstances(t)).map((i) => i.InstanceType).sort()).toEqual([
      't3.micro',
      't3.micro',
      't3.small',
      't3.small',
    ]);
    const lone = await errorOf(
      t.asg.send(
        new StartInstanceRefreshCommand({
          AutoScalingGroupName: 'web',
          DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: templateId, Version: '2' } },
        }),
      ),
    );
    expect(lone.message).toContain('MixedInstancesPolicy');
    await t.asg.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: 'web',
        DesiredConfiguration: {
          MixedInstancesPolicy: {
            LaunchTemplate: {
              LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: '2' },
              Overrides: [{ InstanceType: 't3.micro' }, { InstanceType: 't3.small' }],
            },
          },
        },
        Preferences: { MinHealthyPercentage: 50, InstanceWarmup: 10, AutoRollback: true },
      }),
    );
    const { refreshes } = await watchRefresh(t);
    expect(refreshes.at(-1)).toMatchObject({ Status: 'Successful' });
    const group = (await t.asg.send(new Describe({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups![0]!;
    expect(group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.Version).toBe('2');
    expect(group.Instances?.every((i) => i.ImageId === AMI_V2)).toBe(true);
  });

  it('keeps trying when launches fail, and says why', async () => {
    // A template version whose image does not fit its instance type: EC2 refuses every launch.
    await t.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: templateId,
        SourceVersion: '1',
        LaunchTemplateData: { ImageId: AMI_ARM },
      }),
    );
    await t.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'broken',
        LaunchTemplate: { LaunchTemplateId: templateId, Version: '3' },
        MinSize: 1,
        MaxSize: 1,
        VPCZoneIdentifier: SUBNETS,
      }),
    );
    await t.clock.advance(35_000);
    expect(t.sandbox.sim.autoScalingGroups()[0]).toMatchObject({
      instances: [],
      lastLaunchFailure: expect.stringContaining('does not match the architecture') as unknown,
    });
    const attempts = t.sandbox.sim.calls({ action: 'RunInstances' });
    expect(attempts).toHaveLength(0); // launches are internal, never on the caller's call log
  });

  it('deletes a group only with ForceDelete while it has instances, terminating them first', async () => {
    await webGroup(t, templateId, 2);
    expect(
      await errorOf(t.asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web' }))),
    ).toMatchObject({
      name: 'ResourceInUseFault',
    });
    await t.asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web', ForceDelete: true }));
    const deleting = (await t.asg.send(new Describe({ AutoScalingGroupNames: ['web'] })))
      .AutoScalingGroups![0]!;
    expect(deleting.Status).toBe('Delete in progress');
    expect(deleting.Instances?.every((i) => i.LifecycleState === 'Terminating')).toBe(true);
    await t.clock.advance(60_000);
    expect((await t.asg.send(new Describe({}))).AutoScalingGroups).toEqual([]);
    expect(t.sandbox.sim.instances().every((i) => i.state === 'terminated')).toBe(true);
  });

  it('cannot replace an unhealthy instance once its launch template is deleted, and says why', async () => {
    await webGroup(t, templateId, 1);
    await t.ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: templateId }));
    const [only] = await groupInstances(t);
    t.sandbox.sim.setUnhealthyImages([AMI_V1]);
    await t.clock.advance(60_000);
    const view = t.sandbox.sim.autoScalingGroups()[0]!;
    expect(view.instances.find((i) => i.instanceId === only!.InstanceId)?.inGroup).toBe(false);
    expect(view.lastLaunchFailure).toContain('does not exist');
    expect(inService(await groupInstances(t))).toHaveLength(0);
  });
});

describe('the control API', () => {
  it('sets the unhealthy images and shows groups and refreshes', async () => {
    await webGroup(t, templateId, 2);
    const headers = { [CONTROL_TOKEN_HEADER]: t.sandbox.controlToken, 'content-type': 'application/json' };
    const put = await fetch(`${t.sandbox.url}/_sandbox/health`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ unhealthyImages: [AMI_V1] }),
    });
    expect(await put.json()).toEqual({ unhealthyImages: [AMI_V1] });
    const bad = await fetch(`${t.sandbox.url}/_sandbox/health`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ unhealthyImages: ['nope'] }),
    });
    expect(bad.status).toBe(400);
    await t.clock.advance(20_000);
    const state = (await (await fetch(`${t.sandbox.url}/_sandbox/autoscaling`, { headers })).json()) as {
      groups: { name: string; instances: { health: string }[] }[];
      refreshes: unknown[];
    };
    expect(state.groups[0]!.name).toBe('web');
    // The two instances on the now-unhealthy image failed their next check and are being replaced.
    expect(state.groups[0]!.instances.filter((i) => i.health === 'Unhealthy').length).toBeGreaterThanOrEqual(
      2,
    );
    expect(state.refreshes).toEqual([]);
  });
});

describe('throttling', () => {
  it('answers Throttling once a caller outruns the Describe bucket', async () => {
    await t.close();
    t = await openAsgSandbox({ throttling: true });
    const results = await Promise.all(
      Array.from({ length: 45 }, () =>
        t.asg.send(new Describe({})).then(
          () => 'ok',
          (error: { name: string }) => error.name,
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(40);
    expect(new Set(results.filter((r) => r !== 'ok'))).toEqual(new Set(['Throttling']));
  });
});
