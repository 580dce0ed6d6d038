import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  type Instance,
  type InstanceRefresh,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import { stableId } from '../../../src/sandbox/ids';
import type { AutoScalingGroupView } from '../../../src/sandbox';
import { openSandbox, REGION, type TestSandbox } from './helpers';

export const AMI_V1 = stableId('ami', REGION, 'al2023-ami-2023.5.20240916.0-kernel-6.1-x86_64');
export const AMI_V2 = stableId('ami', REGION, 'al2023-ami-2023.6.20241031.0-kernel-6.1-x86_64');
export const AMI_ARM = stableId('ami', REGION, 'al2023-ami-2023.6.20241031.0-kernel-6.1-arm64');
export const SUBNETS = ['a', 'b', 'c'].map((z) => stableId('subnet', REGION, `${REGION}${z}`)).join(',');

export type AsgSandbox = TestSandbox & { asg: AutoScalingClient };

export async function openAsgSandbox(options: Parameters<typeof openSandbox>[0] = {}): Promise<AsgSandbox> {
  const t = await openSandbox(options);
  const asg = new AutoScalingClient(t.config);
  return Object.assign(t, {
    asg,
    async close() {
      asg.destroy();
      t.ec2.destroy();
      await t.sandbox.close();
    },
  });
}

/** A launch template `web` with version 1 on AMI_V1 and version 2 on AMI_V2. */
export async function webTemplate(t: AsgSandbox): Promise<string> {
  const created = await t.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web',
      LaunchTemplateData: { ImageId: AMI_V1, InstanceType: 't3.micro' },
    }),
  );
  const id = created.LaunchTemplate!.LaunchTemplateId!;
  await t.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: id,
      SourceVersion: '1',
      LaunchTemplateData: { ImageId: AMI_V2 },
    }),
  );
  return id;
}

/** Group `web` of `size` instances launched from the template's version 1, in service after a minute. */
export async function webGroup(t: AsgSandbox, templateId: string, size = 4, version = '1'): Promise<void> {
  await t.asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web',
      LaunchTemplate: { LaunchTemplateId: templateId, Version: version },
      MinSize: size,
      MaxSize: size * 2,
      DesiredCapacity: size,
      VPCZoneIdentifier: SUBNETS,
      HealthCheckGracePeriod: 10,
    }),
  );
  await t.clock.advance(60_000);
}

export async function groupInstances(t: AsgSandbox, name = 'web'): Promise<Instance[]> {
  const out = await t.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return out.AutoScalingGroups?.[0]?.Instances ?? [];
}

export async function latestRefresh(t: AsgSandbox, name = 'web'): Promise<InstanceRefresh> {
  const out = await t.asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name }));
  return out.InstanceRefreshes![0]!;
}

export const inService = (instances: Instance[]) =>
  instances.filter((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy');

/**
 * The fewest instances in service at any moment between `from` and `to`, computed exactly from each
 * instance's own times — in service from its running moment until the group began taking it out (a failed
 * health check included) — not sampled.
 */
export function minInService(group: AutoScalingGroupView, from: number, to: number): number {
  const edges = new Set<number>([from]);
  for (const i of group.instances) {
    if (i.inServiceAt !== undefined) edges.add(i.inServiceAt);
    if (i.terminatingAt !== undefined) edges.add(i.terminatingAt);
  }
  let min = Number.POSITIVE_INFINITY;
  for (const at of [...edges].filter((e) => e >= from && e <= to)) {
    const count = group.instances.filter(
      (i) =>
        i.inServiceAt !== undefined &&
        i.inServiceAt <= at &&
        (i.terminatingAt === undefined || i.terminatingAt > at),
    ).length;
    min = Math.min(min, count);
  }
  return min;
}

/** Advances the clock a second at a time until the refresh ends, returning what each look saw. */
export async function watchRefresh(
  t: AsgSandbox,
  limitMs = 3_600_000,
): Promise<{ refreshes: InstanceRefresh[]; inService: number[] }> {
  const refreshes: InstanceRefresh[] = [];
  const counts: number[] = [];
  for (let waited = 0; waited <= limitMs; waited += 1_000) {
    const refresh = await latestRefresh(t);
    refreshes.push(refresh);
    counts.push(inService(await groupInstances(t)).length);
    if (refresh.EndTime) return { refreshes, inService: counts };
    await t.clock.advance(1_000);
  }
  throw new Error('the refresh did not end');
}
