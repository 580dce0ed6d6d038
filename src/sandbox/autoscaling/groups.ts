import { z } from 'zod';
import { zonesOf } from '../catalogue/network';
import { SandboxError } from '../wire/errors';
import { qBool, qInt } from '../wire/query';
import { isoTime, type XmlValue } from '../wire/xml';
import type { AutoScalingContext, AutoScalingHandler } from './context';
import { ec2At } from './launch';
import {
  MixedInstancesPolicySchema,
  TagListSchema,
  TemplateSpecSchema,
  memberList,
  parseAs,
  required,
  validation,
} from './params';
import type { GroupInstance, GroupRecord } from './records';
import { activeRefresh, terminateMember } from './refresh-progress';
import { settleGroup } from './simulation';
import { readSource, sourceXml } from './sources';

const NAME_MAX = 255;
/** Group settings that would change how instances come and go, which the Sandbox does not model. */
const UNMODELLED = [
  'LoadBalancerNames',
  'TargetGroupARNs',
  'TrafficSources',
  'LifecycleHookSpecificationList',
  'InstanceMaintenancePolicy',
  'MaxInstanceLifetime',
  'WarmPoolConfiguration',
];

function refuseUnmodelled(tree: Record<string, unknown>): void {
  const given = UNMODELLED.filter((key) => key in tree);
  if (given.length > 0) {
    throw validation(
      `The sandbox does not model ${given.join(', ')}: its groups have no load balancers, lifecycle hooks, warm pools or instance lifetimes.`,
    );
  }
}

export function findGroup(ctx: AutoScalingContext, name: string): GroupRecord {
  const group = ctx.region.groups.get(name);
  if (!group) throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
  return group;
}

function checkSizes(min: number, max: number, desired: number): void {
  if (min < 0 || max < 0 || desired < 0) throw validation('Sizes must not be negative.');
  if (min > max) throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max) {
    throw validation(
      `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
    );
  }
}

/** VPCZoneIdentifier (comma-separated subnets) and/or AvailabilityZones, checked against the region's network. */
function placement(
  ctx: AutoScalingContext,
  zones: string[] | undefined,
  vpcZoneIdentifier: string | undefined,
) {
  const network = ec2At(ctx.core, ctx.region.name, ctx.now).region.network;
  const subnetIds = (vpcZoneIdentifier ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of subnetIds) {
    if (!network.subnets.some((s) => s.subnetId === id))
      throw validation(`The subnet ID '${id}' does not exist`);
  }
  const known = zonesOf(ctx.region.name).map((z) => z.name);
  for (const zone of zones ?? []) {
    if (!known.includes(zone)) throw validation(`Invalid Availability Zone: ${zone}`);
  }
  const availabilityZones = subnetIds.length
    ? [...new Set(subnetIds.map((id) => network.subnets.find((s) => s.subnetId === id)!.zone.name))]
    : (zones ?? []);
  if (availabilityZones.length === 0)
    throw validation('At least one Availability Zone or VPC Subnet is required.');
  return { subnetIds, availabilityZones };
}

const CreateSchema = z.object({
  AutoScalingGroupName: z.string().max(NAME_MAX).optional(),
  LaunchTemplate: TemplateSpecSchema.optional(),
  MixedInstancesPolicy: MixedInstancesPolicySchema.optional(),
  LaunchConfigurationName: z.string().optional(),
  InstanceId: z.string().optional(),
  MinSize: qInt.optional(),
  MaxSize: qInt.optional(),
  DesiredCapacity: qInt.optional(),
  DefaultCooldown: qInt.optional(),
  AvailabilityZones: memberList(z.string()),
  VPCZoneIdentifier: z.string().optional(),
  HealthCheckType: z.enum(['EC2', 'ELB', 'VPC_LATTICE', 'EBS']).optional(),
  HealthCheckGracePeriod: qInt.optional(),
  DefaultInstanceWarmup: qInt.optional(),
  TerminationPolicies: memberList(z.string()),
  NewInstancesProtectedFromScaleIn: qBool.optional(),
  Tags: TagListSchema,
});

export const createAutoScalingGroup: AutoScalingHandler = (ctx, tree) => {
  refuseUnmodelled(tree);
  const p = parseAs(CreateSchema.loose(), tree);
  const name = required(p.AutoScalingGroupName, 'autoScalingGroupName');
  if (ctx.region.groups.has(name)) {
    throw new SandboxError(
      'AlreadyExists',
      `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`,
    );
  }
  const source = readSource(ctx.core, ctx.region, p);
  if (!source) {
    throw validation(
      'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
    );
  }
  const min = required(p.MinSize, 'minSize');
  const max = required(p.MaxSize, 'maxSize');
  const desired = p.DesiredCapacity ?? min;
  checkSizes(min, max, desired);
  const where = placement(ctx, p.AvailabilityZones, p.VPCZoneIdentifier);
  const group: GroupRecord = {
    name,
    arn: `arn:aws:autoscaling:${ctx.region.name}:${ctx.accountId}:autoScalingGroup:${uuid(ctx)}:autoScalingGroupName/${name}`,
    region: ctx.region.name,
    createdAt: ctx.now,
    source,
    minSize: min,
    maxSize: max,
    desired,
    defaultCooldown: p.DefaultCooldown ?? 300,
    healthCheckGracePeriod: p.HealthCheckGracePeriod ?? 0,
    healthCheckType: p.HealthCheckType ?? 'EC2',
    ...(p.DefaultInstanceWarmup !== undefined ? { defaultInstanceWarmup: p.DefaultInstanceWarmup } : {}),
    ...where,
    tags: (p.Tags ?? []).map((t) => ({
      key: t.Key,
      value: t.Value ?? '',
      propagateAtLaunch: t.PropagateAtLaunch ?? false,
    })),
    terminationPolicies: p.TerminationPolicies?.length ? p.TerminationPolicies : ['Default'],
    instances: new Map(),
    departed: [],
    deleting: false,
    nextLaunchAt: ctx.now,
  };
  for (const tag of group.tags) {
    if (tag.key.toLowerCase().startsWith('aws:'))
      throw validation("Tag keys starting with 'aws:' are reserved for internal use");
  }
  ctx.region.groups.set(name, group);
  settleGroup(ctx.core, ctx.region, group, ctx.now);
  return undefined;
};

function uuid(ctx: AutoScalingContext): string {
  const h = ctx.core.ids.nextHex('autoscaling-uuid');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function newUuid(ctx: AutoScalingContext): string {
  return uuid(ctx);
}

const UpdateSchema = CreateSchema.omit({ Tags: true, InstanceId: true });

export const updateAutoScalingGroup: AutoScalingHandler = (ctx, tree) => {
  refuseUnmodelled(tree);
  const p = parseAs(UpdateSchema.loose(), tree);
  const group = findGroup(ctx, required(p.AutoScalingGroupName, 'autoScalingGroupName'));
  if (group.deleting)
    throw new SandboxError('ScalingActivityInProgress', `AutoScalingGroup ${group.name} is being deleted.`);
  const source = readSource(ctx.core, ctx.region, p);
  if (source && activeRefresh(ctx.region, group.name)) {
    throw new SandboxError(
      'ScalingActivityInProgress',
      `An instance refresh is in progress for ${group.name}; wait for it or cancel it before changing how the group launches.`,
    );
  }
  const min = p.MinSize ?? group.minSize;
  const max = p.MaxSize ?? group.maxSize;
  // As on AWS: a new min or max drags the desired capacity along when it is not given.
  const desired = p.DesiredCapacity ?? Math.min(max, Math.max(min, group.desired));
  checkSizes(min, max, desired);
  if (p.VPCZoneIdentifier !== undefined || p.AvailabilityZones !== undefined) {
    Object.assign(group, placement(ctx, p.AvailabilityZones, p.VPCZoneIdentifier));
  }
  if (source) group.source = source;
  group.minSize = min;
  group.maxSize = max;
  group.desired = desired;
  if (p.DefaultCooldown !== undefined) group.defaultCooldown = p.DefaultCooldown;
  if (p.HealthCheckGracePeriod !== undefined) group.healthCheckGracePeriod = p.HealthCheckGracePeriod;
  if (p.HealthCheckType !== undefined) group.healthCheckType = p.HealthCheckType;
  if (p.DefaultInstanceWarmup !== undefined) group.defaultInstanceWarmup = p.DefaultInstanceWarmup;
  if (p.TerminationPolicies?.length) group.terminationPolicies = p.TerminationPolicies;
  group.nextLaunchAt = Math.min(group.nextLaunchAt, ctx.now);
  settleGroup(ctx.core, ctx.region, group, ctx.now);
  return undefined;
};

const DeleteSchema = z.object({ AutoScalingGroupName: z.string().optional(), ForceDelete: qBool.optional() });

export const deleteAutoScalingGroup: AutoScalingHandler = (ctx, tree) => {
  const p = parseAs(DeleteSchema, tree);
  const group = findGroup(ctx, required(p.AutoScalingGroupName, 'autoScalingGroupName'));
  const refresh = activeRefresh(ctx.region, group.name);
  if (!p.ForceDelete) {
    if (refresh)
      throw new SandboxError(
        'ScalingActivityInProgress',
        `An instance refresh is in progress for ${group.name}.`,
      );
    if (group.instances.size > 0) {
      throw new SandboxError(
        'ResourceInUse',
        'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.',
      );
    }
    ctx.region.groups.delete(group.name);
    return undefined;
  }
  if (refresh) {
    refresh.status = 'Cancelled';
    refresh.statusReason = 'The Auto Scaling group was deleted.';
    refresh.endedAt = ctx.now;
  }
  group.deleting = true;
  group.desired = 0;
  for (const member of group.instances.values())
    if (member.terminatingAt === undefined) terminateMember(ctx.core, group, member, ctx.now);
  settleGroup(ctx.core, ctx.region, group, ctx.now);
  return undefined;
};

const DescribeSchema = z.object({
  AutoScalingGroupNames: memberList(z.string()),
  IncludeInstances: qBool.optional(),
  MaxRecords: qInt.optional(),
  NextToken: z.string().optional(),
  Filters: memberList(z.object({ Name: z.string(), Values: memberList(z.string()) })),
});

export const describeAutoScalingGroups: AutoScalingHandler = (ctx, tree) => {
  const p = parseAs(DescribeSchema, tree);
  const max = p.MaxRecords ?? 50;
  if (max < 1 || max > 100) throw validation('MaxRecords must be between 1 and 100.');
  const names = p.AutoScalingGroupNames ?? [];
  let groups = [...ctx.region.groups.values()].filter((g) => names.length === 0 || names.includes(g.name));
  for (const filter of p.Filters ?? []) {
    const values = filter.Values ?? [];
    groups = groups.filter((g) => {
      if (filter.Name.startsWith('tag:'))
        return g.tags.some((t) => t.key === filter.Name.slice(4) && values.includes(t.value));
      if (filter.Name === 'tag-key') return g.tags.some((t) => values.includes(t.key));
      if (filter.Name === 'tag-value') return g.tags.some((t) => values.includes(t.value));
      throw validation(`The filter '${filter.Name}' is not valid.`);
    });
  }
  groups.sort((a, b) => a.name.localeCompare(b.name));
  const offset = p.NextToken === undefined ? 0 : readToken(p.NextToken);
  const page = groups.slice(offset, offset + max);
  const next =
    offset + max < groups.length ? Buffer.from(`asg:${offset + max}`).toString('base64url') : undefined;
  return {
    AutoScalingGroups: page.map((g) => groupXml(ctx, g, p.IncludeInstances ?? true)),
    NextToken: next,
  };
};

function readToken(token: string): number {
  const [kind, offset] = Buffer.from(token, 'base64url').toString('utf8').split(':');
  const n = Number(offset);
  if (kind !== 'asg' || !Number.isInteger(n) || n < 0)
    throw new SandboxError('InvalidNextToken', 'The token is not valid.');
  return n;
}

export function lifecycleState(ctx: AutoScalingContext, group: GroupRecord, member: GroupInstance): string {
  if (member.terminatingAt !== undefined) return 'Terminating';
  const record = ec2At(ctx.core, group.region, ctx.now).region.instances.get(member.instanceId);
  if (!record) return 'Terminated';
  // InService from the moment EC2 has it running; a stop behind the group's back shows once a check notices.
  return record.transitions.some((t) => t.state === 'running' && t.at <= ctx.now) ? 'InService' : 'Pending';
}

function groupXml(ctx: AutoScalingContext, group: GroupRecord, includeInstances: boolean): XmlValue {
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    ...sourceXml(group.source),
    MinSize: group.minSize,
    MaxSize: group.maxSize,
    DesiredCapacity: group.desired,
    DefaultCooldown: group.defaultCooldown,
    AvailabilityZones: group.availabilityZones,
    LoadBalancerNames: [],
    TargetGroupARNs: [],
    HealthCheckType: group.healthCheckType,
    HealthCheckGracePeriod: group.healthCheckGracePeriod,
    Instances: includeInstances
      ? [...group.instances.values()]
          .sort((a, b) => a.launchedAt - b.launchedAt || a.instanceId.localeCompare(b.instanceId))
          .map((member) => ({
            InstanceId: member.instanceId,
            InstanceType: member.instanceType,
            AvailabilityZone: member.zone,
            LifecycleState: lifecycleState(ctx, group, member),
            HealthStatus: member.health,
            ...(member.from.kind === 'template'
              ? {
                  LaunchTemplate: {
                    LaunchTemplateId: member.from.launchTemplateId,
                    LaunchTemplateName: member.from.launchTemplateName,
                    Version: String(member.from.version),
                  },
                }
              : { LaunchConfigurationName: member.from.name }),
            ProtectedFromScaleIn: false,
            ImageId: member.imageId,
          }))
      : undefined,
    CreatedTime: isoTime(group.createdAt),
    SuspendedProcesses: [],
    VPCZoneIdentifier: group.subnetIds.length ? group.subnetIds.join(',') : undefined,
    EnabledMetrics: [],
    Status: group.deleting ? 'Delete in progress' : undefined,
    Tags: group.tags.map((t) => ({
      ResourceId: group.name,
      ResourceType: 'auto-scaling-group',
      Key: t.key,
      Value: t.value,
      PropagateAtLaunch: t.propagateAtLaunch,
    })),
    TerminationPolicies: group.terminationPolicies,
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${ctx.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    DefaultInstanceWarmup: group.defaultInstanceWarmup,
    CapacityRebalance: false,
  };
}

const SetHealthSchema = z.object({
  InstanceId: z.string().optional(),
  HealthStatus: z.enum(['Healthy', 'Unhealthy']).optional(),
  ShouldRespectGracePeriod: qBool.optional(),
});

/** Marks an instance unhealthy (or healthy again) as a custom health check would: the group replaces it. */
export const setInstanceHealth: AutoScalingHandler = (ctx, tree) => {
  const p = parseAs(SetHealthSchema, tree);
  const id = required(p.InstanceId, 'instanceId');
  const status = required(p.HealthStatus, 'healthStatus');
  for (const group of ctx.region.groups.values()) {
    const member = group.instances.get(id);
    if (!member) continue;
    if (status === 'Unhealthy' && member.terminatingAt === undefined) {
      if (
        p.ShouldRespectGracePeriod &&
        Number.isFinite(member.nextHealthCheckAt) &&
        member.nextHealthCheckAt > ctx.now
      )
        return undefined;
      member.nextHealthCheckAt = ctx.now;
      ctx.core.autoScaling.markedUnhealthy.add(id);
      settleGroup(ctx.core, ctx.region, group, ctx.now);
    }
    return undefined;
  }
  throw validation(`Instance Id not found - No instance(s) found in any Auto Scaling group with id ${id}`);
};
