import {
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import type { Page } from './poll-calls';

/** One instance refresh as DescribeInstanceRefreshes reports it. */
export interface RefreshView {
  id: string;
  group: string;
  status: string;
  statusReason?: string;
  percentage: number;
  instancesToUpdate: number;
  startedAt?: number;
  endedAt?: number;
  rollback?: { reason?: string; percentage: number; instancesToUpdate: number };
}

/** A group's instances (and launch settings), as DescribeAutoScalingGroups reports them. */
export interface GroupView {
  name: string;
  desiredCapacity: number;
  instances: {
    instanceId: string;
    lifecycleState: string;
    health: string;
    imageId?: string;
    launchTemplateVersion?: string;
    availabilityZone?: string;
    instanceType?: string;
  }[];
}

export type AutoScalingDescribe<T> = (
  client: AutoScalingClient,
  keys: string[],
  token: string | undefined,
  signal: AbortSignal,
) => Promise<Page<T>>;

/**
 * DescribeInstanceRefreshes answers for one group at a time (its AutoScalingGroupName is required), so a
 * tick makes one call per watched group: the group's most recent refreshes, newest first.
 */
export const describeRefreshes: AutoScalingDescribe<RefreshView[]> = async (
  client,
  groups,
  _token,
  signal,
) => {
  const items = new Map<string, RefreshView[]>();
  for (const group of groups) {
    const out = await client.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: group, MaxRecords: 10 }),
      {
        abortSignal: signal,
      },
    );
    items.set(
      group,
      (out.InstanceRefreshes ?? []).flatMap((r) =>
        r.InstanceRefreshId
          ? [
              {
                id: r.InstanceRefreshId,
                group,
                status: r.Status ?? 'unknown',
                ...(r.StatusReason ? { statusReason: r.StatusReason } : {}),
                percentage: r.PercentageComplete ?? 0,
                instancesToUpdate: r.InstancesToUpdate ?? 0,
                ...(r.StartTime ? { startedAt: r.StartTime.getTime() } : {}),
                ...(r.EndTime ? { endedAt: r.EndTime.getTime() } : {}),
                ...(r.RollbackDetails
                  ? {
                      rollback: {
                        ...(r.RollbackDetails.RollbackReason
                          ? { reason: r.RollbackDetails.RollbackReason }
                          : {}),
                        percentage: r.RollbackDetails.PercentageCompleteOnRollback ?? 0,
                        instancesToUpdate: r.RollbackDetails.InstancesToUpdateOnRollback ?? 0,
                      },
                    }
                  : {}),
              },
            ]
          : [],
      ),
    );
  }
  return { items, next: undefined };
};

/** Every watched group of the region in one DescribeAutoScalingGroups (paged), with its instances. */
export const describeGroups: AutoScalingDescribe<GroupView> = async (client, names, token, signal) => {
  const out = await client.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names, MaxRecords: 100, NextToken: token }),
    { abortSignal: signal },
  );
  const items = new Map<string, GroupView>();
  for (const group of out.AutoScalingGroups ?? []) {
    if (!group.AutoScalingGroupName) continue;
    items.set(group.AutoScalingGroupName, {
      name: group.AutoScalingGroupName,
      desiredCapacity: group.DesiredCapacity ?? 0,
      instances: (group.Instances ?? []).flatMap((i) =>
        i.InstanceId
          ? [
              {
                instanceId: i.InstanceId,
                lifecycleState: i.LifecycleState ?? 'unknown',
                health: i.HealthStatus ?? 'unknown',
                ...(i.ImageId ? { imageId: i.ImageId } : {}),
                ...(i.LaunchTemplate?.Version ? { launchTemplateVersion: i.LaunchTemplate.Version } : {}),
                ...(i.AvailabilityZone ? { availabilityZone: i.AvailabilityZone } : {}),
                ...(i.InstanceType ? { instanceType: i.InstanceType } : {}),
              },
            ]
          : [],
      ),
    });
  }
  return { items, next: out.NextToken };
};
