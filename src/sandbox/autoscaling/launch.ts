import { imageForSsmParameter } from '../catalogue/base-images';
import type { SimulatorCore } from '../core';
import type { Ec2Context } from '../ec2/context';
import { findTemplate, resolveTemplateVersion } from '../ec2/launch-templates';
import type { LaunchTemplateData } from '../ec2/launch-templates-data';
import { stateAt } from '../ec2/lifecycle';
import type { InstanceRecord } from '../ec2/records';
import { runInstances } from '../ec2/run-instances';
import { stableId } from '../ids';
import { SandboxError } from '../wire/errors';
import type { QueryNode, QueryTree } from '../wire/query';
import type { AutoScalingRegion } from './world';
import type { GroupInstance, GroupRecord, LaunchedFrom, LaunchSource, TemplateRef } from './records';

/** The tag EC2 Auto Scaling puts on every instance it launches (reserved: callers cannot set aws: tags). */
export const GROUP_NAME_TAG = 'aws:autoscaling:groupName';

/** EC2 as it is at moment `at` (a moment the simulation is catching up on), for launches made then. */
export function ec2At(core: SimulatorCore, regionName: string, at: number): Ec2Context {
  return {
    ...core.ec2Context(regionName),
    now: at,
    // Bakes' scenarios and benchmark timelines are for builders, not for a group's instances.
    scenario: {},
    nextTimeline: () => undefined,
  };
}

/** What a source launches now: the resolved template version (or configuration) and the instance type. */
export function resolveSource(
  core: SimulatorCore,
  asRegion: AutoScalingRegion,
  group: GroupRecord,
  source: LaunchSource,
  at: number,
): { from: LaunchedFrom; data: LaunchTemplateData } {
  const ctx = ec2At(core, group.region, at);
  if (source.kind === 'configuration') {
    const lc = asRegion.launchConfigurations.get(source.name);
    if (!lc) throw new SandboxError('ValidationError', `Launch configuration ${source.name} does not exist.`);
    return {
      from: { kind: 'configuration', name: lc.name },
      data: {
        imageId: lc.imageId,
        instanceType: lc.instanceType,
        ...(lc.keyName ? { keyName: lc.keyName } : {}),
        ...(lc.securityGroups.length ? { securityGroupIds: lc.securityGroups } : {}),
        ...(lc.userData ? { userData: lc.userData } : {}),
        ...(lc.iamInstanceProfile
          ? {
              iamInstanceProfile: lc.iamInstanceProfile.startsWith('arn:')
                ? { arn: lc.iamInstanceProfile }
                : { name: lc.iamInstanceProfile },
            }
          : {}),
        ...(lc.httpTokens ? { metadataOptions: { httpTokens: lc.httpTokens } } : {}),
      },
    };
  }
  if (source.kind === 'template') return fromTemplate(ctx, source.template);
  // Mixed instances: the override type with the fewest instances in the group, its own template if it names one.
  const { policy } = source;
  const counts = new Map<string, number>();
  for (const i of group.instances.values())
    if (i.terminatingAt === undefined) counts.set(i.instanceType, (counts.get(i.instanceType) ?? 0) + 1);
  const typed = policy.overrides.filter((o) => o.instanceType !== undefined);
  const pick = typed.reduce<(typeof typed)[number] | undefined>(
    (best, o) =>
      best === undefined || (counts.get(o.instanceType!) ?? 0) < (counts.get(best.instanceType!) ?? 0)
        ? o
        : best,
    undefined,
  );
  const resolved = fromTemplate(ctx, pick?.template ?? policy.template);
  return {
    from: resolved.from,
    data: {
      ...resolved.data,
      ...(pick?.instanceType ? { instanceType: pick.instanceType } : {}),
      ...(pick?.imageId ? { imageId: pick.imageId } : {}),
    },
  };
}

function fromTemplate(ctx: Ec2Context, ref: TemplateRef): { from: LaunchedFrom; data: LaunchTemplateData } {
  const template = findTemplate(ctx, ref.launchTemplateId, undefined);
  const version = resolveTemplateVersion(template, ref.version);
  return {
    from: {
      kind: 'template',
      launchTemplateId: template.launchTemplateId,
      launchTemplateName: template.name,
      version: version.versionNumber,
    },
    data: version.data,
  };
}

/** A launch template's `resolve:ssm:` image, as far as the Sandbox knows parameters (the public AMI aliases). */
function imageOf(ctx: Ec2Context, data: LaunchTemplateData): string {
  const imageId = data.imageId;
  if (imageId === undefined) {
    throw new SandboxError('InvalidParameterValue', 'The launch template does not specify an AMI (ImageId).');
  }
  if (!imageId.startsWith('resolve:ssm:')) return imageId;
  const base = imageForSsmParameter(imageId.slice('resolve:ssm:'.length));
  if (!base) {
    throw new SandboxError(
      'InvalidParameterValue',
      `The sandbox cannot resolve ${imageId}: it knows only the public AMI alias parameters.`,
    );
  }
  return stableId('ami', ctx.region.region, base.name);
}

/**
 * Launches one instance for the group through EC2's own RunInstances (so it is an ordinary Sandbox
 * instance: console, volumes, DescribeInstances), in the zone the group has the fewest instances in.
 * Throws the EC2 error when the launch fails (an image gone, an architecture mismatch…).
 */
export function launchInstance(
  core: SimulatorCore,
  asRegion: AutoScalingRegion,
  group: GroupRecord,
  source: LaunchSource,
  at: number,
): { instance: InstanceRecord; member: Omit<GroupInstance, 'nextHealthCheckAt'> } {
  const ctx = ec2At(core, group.region, at);
  const { from, data } = resolveSource(core, asRegion, group, source, at);
  const imageId = imageOf(ctx, data);
  const subnetId = leastUsedSubnet(ctx, group);
  const tags: [string, string][] = [
    ...(data.tagSpecifications?.find((s) => s.resourceType === 'instance')?.tags ?? []),
    ...group.tags.filter((t) => t.propagateAtLaunch).map((t): [string, string] => [t.key, t.value]),
  ];
  const volumeTags = data.tagSpecifications?.find((s) => s.resourceType === 'volume')?.tags ?? [];
  const tree: QueryTree = {
    ImageId: imageId,
    MinCount: '1',
    MaxCount: '1',
    ...(data.instanceType ? { InstanceType: data.instanceType } : {}),
    ...(subnetId ? { SubnetId: subnetId } : {}),
    ...(data.securityGroupIds?.length ? { SecurityGroupId: [...data.securityGroupIds] } : {}),
    ...(data.keyName ? { KeyName: data.keyName } : {}),
    ...(data.userData ? { UserData: data.userData } : {}),
    ...(data.iamInstanceProfile
      ? {
          IamInstanceProfile: {
            ...(data.iamInstanceProfile.arn ? { Arn: data.iamInstanceProfile.arn } : {}),
            ...(data.iamInstanceProfile.name ? { Name: data.iamInstanceProfile.name } : {}),
          },
        }
      : {}),
    ...(data.instanceInitiatedShutdownBehavior
      ? { InstanceInitiatedShutdownBehavior: data.instanceInitiatedShutdownBehavior }
      : {}),
    ...(data.metadataOptions?.httpTokens
      ? { MetadataOptions: { HttpTokens: data.metadataOptions.httpTokens } }
      : {}),
    ...(data.blockDeviceMappings?.length
      ? { BlockDeviceMapping: data.blockDeviceMappings.map(deviceTree) }
      : {}),
    TagSpecification: [
      ...(tags.length
        ? [{ ResourceType: 'instance', Tag: tags.map(([Key, Value]) => ({ Key, Value })) }]
        : []),
      ...(volumeTags.length
        ? [{ ResourceType: 'volume', Tag: volumeTags.map(([Key, Value]) => ({ Key, Value })) }]
        : []),
    ],
  };
  const before = new Set(ctx.region.instances.keys());
  runInstances(ctx, tree);
  const instance = [...ctx.region.instances.values()].find((i) => !before.has(i.instanceId))!;
  instance.tags.set(GROUP_NAME_TAG, group.name);
  return {
    instance,
    member: {
      instanceId: instance.instanceId,
      launchedAt: at,
      zone: instance.subnet.zone.name,
      instanceType: instance.instanceType,
      imageId: instance.imageId,
      from,
      health: 'Healthy',
    },
  };
}

function deviceTree(device: NonNullable<LaunchTemplateData['blockDeviceMappings']>[number]): QueryNode {
  const ebs = device.ebs;
  return {
    DeviceName: device.deviceName,
    ...(device.noDevice ? { NoDevice: '' } : {}),
    ...(ebs
      ? {
          Ebs: {
            ...(ebs.volumeSize !== undefined ? { VolumeSize: String(ebs.volumeSize) } : {}),
            ...(ebs.volumeType !== undefined ? { VolumeType: ebs.volumeType } : {}),
            ...(ebs.deleteOnTermination !== undefined
              ? { DeleteOnTermination: String(ebs.deleteOnTermination) }
              : {}),
            ...(ebs.iops !== undefined ? { Iops: String(ebs.iops) } : {}),
            ...(ebs.throughput !== undefined ? { Throughput: String(ebs.throughput) } : {}),
            ...(ebs.snapshotId !== undefined ? { SnapshotId: ebs.snapshotId } : {}),
          },
        }
      : {}),
  };
}

/** The group's subnet with the fewest of its live instances (Auto Scaling balances zones). */
function leastUsedSubnet(ctx: Ec2Context, group: GroupRecord): string | undefined {
  const subnets = group.subnetIds.length
    ? group.subnetIds
    : ctx.region.network.subnets
        .filter((s) => group.availabilityZones.includes(s.zone.name))
        .map((s) => s.subnetId);
  if (subnets.length === 0) return undefined;
  const used = new Map<string, number>();
  for (const member of group.instances.values()) {
    if (member.terminatingAt !== undefined) continue;
    const subnet = ctx.region.instances.get(member.instanceId)?.subnet.subnetId;
    if (subnet) used.set(subnet, (used.get(subnet) ?? 0) + 1);
  }
  return subnets.reduce((best, s) => ((used.get(s) ?? 0) < (used.get(best) ?? 0) ? s : best));
}

/** When EC2 had (or will have) the instance running: where Auto Scaling counts it InService from. */
export function inServiceAt(instance: InstanceRecord | undefined): number | undefined {
  return instance?.transitions.find((t) => t.state === 'running')?.at;
}

/** When the instance left running without Auto Scaling asking (stopped or terminated by someone else). */
export function wentDownAt(instance: InstanceRecord | undefined): number | undefined {
  if (!instance) return undefined;
  const running = inServiceAt(instance);
  if (running === undefined) return undefined;
  return instance.transitions.find((t) => t.at >= running && t.state !== 'running' && t.state !== 'pending')
    ?.at;
}

export function isRunning(instance: InstanceRecord | undefined, at: number): boolean {
  return instance !== undefined && stateAt(instance, at) === 'running';
}
