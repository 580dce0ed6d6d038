import {
  CancelInstanceRefreshCommand,
  DescribeAutoScalingGroupsCommand,
  RollbackInstanceRefreshCommand,
  SetInstanceHealthCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AMI_V1,
  AMI_V2,
  groupInstances,
  inService,
  latestRefresh,
  minInService,
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

const toVersion2 = (preferences: Record<string, unknown> = {}) =>
  new StartInstanceRefreshCommand({
    AutoScalingGroupName: 'web',
    DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: templateId, Version: '2' } },
    Preferences: { MinHealthyPercentage: 75, InstanceWarmup: 30, AutoRollback: true, ...preferences },
  });

describe('Auto Scaling groups', () => {
  it('launches real EC2 instances from the template, balanced over the zones, in service once running', async () => {
    await webGroup(t, templateId);
    const instances = await groupInstances(t);
    expect(instances).toHaveLength(4);
    expect(new Set(instances.map((i) => i.AvailabilityZone)).size).toBe(3);
    for (const i of instances) {
      expect(i).toMatchObject({
        LifecycleState: 'InService',
        HealthStatus: 'Healthy',
        ImageId: AMI_V1,
        InstanceType: 't3.micro',
        LaunchTemplate: { LaunchTemplateId: templateId, LaunchTemplateName: 'web', Version: '1' },
      });
    }
    const ec2 = await t.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:aws:autoscaling:groupName', Values: ['web'] }] }),
    );
    const described = ec2.Reservations!.flatMap((r) => r.Instances!);
    expect(described.map((i) => i.InstanceId).sort()).toEqual(instances.map((i) => i.InstanceId).sort());
    expect(described.every((i) => i.State?.Name === 'running' && i.ImageId === AMI_V1)).toBe(true);
  });

  it('replaces an instance someone terminates behind its back, and follows a new desired capacity', async () => {
    await webGroup(t, templateId);
    const [victim] = await groupInstances(t);
    await t.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim!.InstanceId!] }));
    await t.clock.advance(60_000);
    const after = await groupInstances(t);
    expect(after.map((i) => i.InstanceId)).not.toContain(victim!.InstanceId);
    expect(inService(after)).toHaveLength(4);
    await t.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 2, DesiredCapacity: 2 }),
    );
    await t.clock.advance(60_000);
    expect(inService(await groupInstances(t))).toHaveLength(2);
  });

  it('replaces an instance SetInstanceHealth marks unhealthy', async () => {
    await webGroup(t, templateId);
    const [sick] = await groupInstances(t);
    await t.asg.send(
      new SetInstanceHealthCommand({ InstanceId: sick!.InstanceId, HealthStatus: 'Unhealthy' }),
    );
    const now = await groupInstances(t);
    expect(now.find((i) => i.InstanceId === sick!.InstanceId)).toMatchObject({
      HealthStatus: 'Unhealthy',
      LifecycleState: 'Terminating',
    });
    await t.clock.advance(60_000);
    expect(inService(await groupInstances(t)).map((i) => i.InstanceId)).not.toContain(sick!.InstanceId);
  });
});

describe('instance refresh', () => {
  it('replaces 4 instances one at a time at 75 % min healthy, never below 3 in service, and updates the group', async () => {
    await webGroup(t, templateId);
    const startedAt = t.clock.now();
    const { InstanceRefreshId } = await t.asg.send(toVersion2());
    expect(InstanceRefreshId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await latestRefresh(t)).toMatchObject({
      Status: 'Pending',
      PercentageComplete: 0,
      InstancesToUpdate: 4,
    });

    const watched = await watchRefresh(t);
    const final = watched.refreshes.at(-1)!;
    expect(final).toMatchObject({ Status: 'Successful', PercentageComplete: 100, InstancesToUpdate: 0 });
    const percentages = [...new Set(watched.refreshes.map((r) => r.PercentageComplete))];
    expect(percentages).toEqual([0, 25, 50, 75, 100]);
    expect(watched.refreshes.some((r) => /warm up/.test(r.StatusReason ?? ''))).toBe(true);
    // Observed, every second of virtual time…
    expect(Math.min(...watched.inService)).toBe(3);
    // …and exactly, between any two looks.
    const [group] = t.sandbox.sim.autoScalingGroups();
    expect(minInService(group!, startedAt, t.clock.now())).toBe(3);

    const instances = await groupInstances(t);
    expect(inService(instances)).toHaveLength(4);
    expect(instances.every((i) => i.ImageId === AMI_V2 && i.LaunchTemplate?.Version === '2')).toBe(true);
    const described = await t.asg.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }),
    );
    expect(described.AutoScalingGroups![0]!.LaunchTemplate).toMatchObject({ Version: '2' });
    // Four batches, each waiting for its replacement's warmup (30 s) after it runs: minutes, not seconds.
    expect(final.EndTime!.getTime() - final.StartTime!.getTime()).toBeGreaterThan(4 * 30_000);
  });

  it('fails when the new instances fail their health checks, rolls back by itself, and leaves version 1 everywhere', async () => {
    await webGroup(t, templateId);
    t.sandbox.sim.setUnhealthyImages([AMI_V2]);
    const startedAt = t.clock.now();
    await t.asg.send(toVersion2());
    const watched = await watchRefresh(t);
    const statuses = [...new Set(watched.refreshes.map((r) => r.Status))];
    expect(statuses).toEqual(['Pending', 'InProgress', 'RollbackInProgress', 'RollbackSuccessful']);
    const final = watched.refreshes.at(-1)!;
    expect(final.RollbackDetails?.RollbackReason).toMatch(
      /instances launched by the instance refresh failed/,
    );
    expect(final.RollbackDetails?.RollbackReason).toContain('failed its EC2 health check');
    const instances = await groupInstances(t);
    expect(inService(instances)).toHaveLength(4);
    expect(instances.every((i) => i.ImageId === AMI_V1 && i.LaunchTemplate?.Version === '1')).toBe(true);
    const described = await t.asg.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }),
    );
    expect(described.AutoScalingGroups![0]!.LaunchTemplate).toMatchObject({ Version: '1' });
    expect(Math.min(...watched.inService)).toBeGreaterThanOrEqual(3);
    expect(
      minInService(t.sandbox.sim.autoScalingGroups()[0]!, startedAt, t.clock.now()),
    ).toBeGreaterThanOrEqual(3);
  });

  it('ends Failed without AutoRollback, leaving the group on its old configuration', async () => {
    await webGroup(t, templateId);
    t.sandbox.sim.setUnhealthyImages([AMI_V2]);
    await t.asg.send(toVersion2({ AutoRollback: false }));
    const { refreshes } = await watchRefresh(t);
    expect(refreshes.at(-1)).toMatchObject({ Status: 'Failed' });
    const described = await t.asg.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }),
    );
    expect(described.AutoScalingGroups![0]!.LaunchTemplate).toMatchObject({ Version: '1' });
  });

  it('pauses at a checkpoint for its delay, then carries on', async () => {
    await webGroup(t, templateId);
    await t.asg.send(toVersion2({ CheckpointPercentages: [50, 100], CheckpointDelay: 120 }));
    const { refreshes } = await watchRefresh(t);
    const paused = refreshes.filter((r) => /Checkpoint 50% reached/.test(r.StatusReason ?? ''));
    expect(paused.length).toBeGreaterThanOrEqual(119);
    expect(paused.length).toBeLessThanOrEqual(121);
    expect(paused.every((r) => r.PercentageComplete === 50)).toBe(true);
    expect(refreshes.at(-1)).toMatchObject({ Status: 'Successful', PercentageComplete: 100 });
  });

  it('launches first when MaxHealthyPercentage allows, never dropping below the desired capacity', async () => {
    await webGroup(t, templateId);
    const startedAt = t.clock.now();
    await t.asg.send(toVersion2({ MinHealthyPercentage: 100, MaxHealthyPercentage: 150 }));
    const { refreshes } = await watchRefresh(t);
    expect(refreshes.at(-1)).toMatchObject({ Status: 'Successful' });
    expect(minInService(t.sandbox.sim.autoScalingGroups()[0]!, startedAt, t.clock.now())).toBe(4);
    expect(inService(await groupInstances(t))).toHaveLength(4);
  });

  it('skips instances that already match when asked to', async () => {
    await webGroup(t, templateId);
    await t.asg.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: 'web',
        DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: templateId, Version: '1' } },
        Preferences: { SkipMatching: true },
      }),
    );
    const { refreshes } = await watchRefresh(t);
    expect(refreshes.at(-1)).toMatchObject({ Status: 'Successful', InstancesToUpdate: 0 });
    expect(t.sandbox.sim.autoScalingGroups()[0]!.instances.every((i) => i.launchedBy === undefined)).toBe(
      true,
    );
  });

  it('rolls back on request mid-way, and cancels', async () => {
    await webGroup(t, templateId);
    await t.asg.send(toVersion2({ AutoRollback: false }));
    await t.clock.advance(60_000);
    expect((await latestRefresh(t)).PercentageComplete).toBeGreaterThan(0);
    await t.asg.send(new RollbackInstanceRefreshCommand({ AutoScalingGroupName: 'web' }));
    const { refreshes } = await watchRefresh(t);
    expect(refreshes.at(-1)).toMatchObject({
      Status: 'RollbackSuccessful',
      RollbackDetails: { RollbackReason: 'Rollback started by user.' },
    });
    expect((await groupInstances(t)).every((i) => i.ImageId === AMI_V1)).toBe(true);

    await t.asg.send(toVersion2());
    await t.clock.advance(10_000);
    await t.asg.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: 'web' }));
    const cancelled = await watchRefresh(t);
    expect(cancelled.refreshes.at(-1)).toMatchObject({ Status: 'Cancelled' });
  });

  it('refuses what AWS refuses, with its error codes', async () => {
    await webGroup(t, templateId);
    expect(
      await errorOf(t.asg.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: 'web' }))),
    ).toMatchObject({
      name: 'ActiveInstanceRefreshNotFoundFault',
    });
    await t.asg.send(toVersion2());
    expect(await errorOf(t.asg.send(toVersion2()))).toMatchObject({ name: 'InstanceRefreshInProgressFault' });
    expect(await errorOf(t.asg.send(toVersion2({ MinHealthyPercentage: 101 })))).toMatchObject({
      name: 'ValidationError',
    });
    expect(
      await errorOf(t.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'nope' }))),
    ).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('not found') as unknown });
  });

  it('refuses AutoRollback for a group on $Default, as AWS does', async () => {
    await webGroup(t, templateId, 2, '$Default');
    const refused = await errorOf(t.asg.send(toVersion2()));
    expect(refused.name).toBe('ValidationError');
    expect(refused.message).toContain('$Latest or $Default');
  });
});
