import type { SimulatorCore } from '../core';
import { terminatedAt } from '../ec2/lifecycle';
import { inServiceAt } from './launch';
import type { GroupRecord, LaunchSource, RefreshRecord } from './records';

/** Plain snapshots of Auto Scaling state for tests, benchmarks and the control API. */
export interface GroupInstanceView {
  instanceId: string;
  imageId: string;
  instanceType: string;
  /** `lt-…:3` or `lc:<name>`. */
  launchedFrom: string;
  health: 'Healthy' | 'Unhealthy';
  launchedAt: number;
  /** When EC2 has it running (in service), planned ahead. */
  inServiceAt?: number;
  /** When the group began taking it out, and when EC2 finished terminating it. */
  terminatingAt?: number;
  terminatedAt?: number;
  launchedBy?: string;
  /** False once it has left the group (its termination complete). */
  inGroup: boolean;
}

export interface AutoScalingGroupView {
  name: string;
  region: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  /** `lt-…:$Default`, `mixed lt-…:4`, `lc:<name>`. */
  launchesFrom: string;
  deleting: boolean;
  lastLaunchFailure?: string;
  /** Current members first, then (`inGroup: false`) those that have left, oldest first. */
  instances: GroupInstanceView[];
}

export interface InstanceRefreshView {
  instanceRefreshId: string;
  group: string;
  region: string;
  status: string;
  statusReason?: string;
  percentageComplete: number;
  instancesToUpdate: number;
  startedAt: number;
  endedAt?: number;
  rollback?: { reason: string; startedAt: number; percentageComplete: number };
}

export function describeSource(source: LaunchSource): string {
  if (source.kind === 'configuration') return `lc:${source.name}`;
  const ref = source.kind === 'template' ? source.template : source.policy.template;
  return `${source.kind === 'mixed' ? 'mixed ' : ''}${ref.launchTemplateId}:${ref.version}`;
}

export function groupView(core: SimulatorCore, group: GroupRecord): AutoScalingGroupView {
  const ec2 = core.region(group.region).instances;
  return {
    name: group.name,
    region: group.region,
    minSize: group.minSize,
    maxSize: group.maxSize,
    desiredCapacity: group.desired,
    launchesFrom: describeSource(group.source),
    deleting: group.deleting,
    ...(group.lastLaunchFailure ? { lastLaunchFailure: group.lastLaunchFailure } : {}),
    instances: [
      ...[...group.instances.values()].map((m) => ({ m, inGroup: true })),
      ...group.departed.map((m) => ({ m, inGroup: false })),
    ].map(({ m, inGroup }) => {
      const record = ec2.get(m.instanceId);
      const running = inServiceAt(record);
      const ended = record && m.terminatingAt !== undefined ? terminatedAt(record) : undefined;
      return {
        instanceId: m.instanceId,
        imageId: m.imageId,
        instanceType: m.instanceType,
        launchedFrom:
          m.from.kind === 'template' ? `${m.from.launchTemplateId}:${m.from.version}` : `lc:${m.from.name}`,
        health: m.health,
        launchedAt: m.launchedAt,
        ...(running !== undefined ? { inServiceAt: running } : {}),
        ...(m.terminatingAt !== undefined ? { terminatingAt: m.terminatingAt } : {}),
        ...(ended !== undefined ? { terminatedAt: ended } : {}),
        ...(m.launchedBy ? { launchedBy: m.launchedBy } : {}),
        inGroup,
      };
    }),
  };
}

export function refreshView(r: RefreshRecord): InstanceRefreshView {
  return {
    instanceRefreshId: r.id,
    group: r.group,
    region: r.region,
    status: r.status,
    ...(r.statusReason ? { statusReason: r.statusReason } : {}),
    percentageComplete: r.rollback ? r.rollback.forwardPercentage : r.pass.percentage,
    instancesToUpdate: r.rollback ? r.rollback.forwardToUpdate : r.pass.toUpdate,
    startedAt: r.startedAt,
    ...(r.endedAt !== undefined ? { endedAt: r.endedAt } : {}),
    ...(r.rollback
      ? {
          rollback: {
            reason: r.rollback.reason,
            startedAt: r.rollback.startedAt,
            percentageComplete: r.rollback.pass.percentage,
          },
        }
      : {}),
  };
}
