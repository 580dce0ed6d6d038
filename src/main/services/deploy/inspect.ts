import {
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  type InstancesDistribution,
  type LaunchTemplateOverrides,
} from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import type { DeployInstance } from '../../../shared/deploy';
import { AppError } from '../../../shared/result';
import type { DeployCalls } from './calls';

/** Refresh statuses during which AWS refuses (and Quadraxis will not start) another refresh. */
export const ACTIVE_REFRESH = ['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking'];

export interface GroupFacts {
  name: string;
  region: string;
  desiredCapacity: number;
  instances: DeployInstance[];
  template: { id: string; name: string };
  /** How the group names the version: a number or `$Default` (`$Latest` is refused). */
  versionRef: string;
  /** `mixed`: through a mixed instances policy whose overrides name instance types only. */
  source: 'template' | 'mixed';
  overrides: LaunchTemplateOverrides[];
  distribution?: InstancesDistribution;
  /** The version the group launches now, resolved, and what it holds. */
  current: {
    version: number;
    imageId?: string;
    /** The template reads its AMI from an SSM parameter (`resolve:ssm:`). */
    imageAlias?: string;
    instanceType?: string;
    instanceProfile?: string;
  };
  activeRefresh?: { id: string; status: string; percentage: number };
}

function refuse(reason: string, message: string, details: Record<string, string> = {}): AppError {
  return new AppError('CONFLICT', message, { reason, ...details });
}

/**
 * Reads what a deploy needs to know about a group — how it launches, which launch template version and
 * AMI it runs, its instances and whether a refresh is running — and refuses, with words, the groups
 * Quadraxis does not deploy to: launch configurations, `$Latest`, mixed policies with per-type templates
 * or AMIs, attribute-based instance types.
 */
export async function inspectGroup(calls: DeployCalls, name: string, region: string): Promise<GroupFacts> {
  const described = await calls.send('autoscaling:DescribeAutoScalingGroups', (o) =>
    calls
      .connectionClients()
      .autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }), o),
  );
  const group = described.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === name);
  if (!group) {
    throw new AppError('NOT_FOUND', `There is no Auto Scaling group named "${name}" in ${region}.`, {
      reason: 'no-group',
    });
  }
  if (group.LaunchConfigurationName) {
    throw refuse(
      'launch-configuration',
      `Group ${name} launches from launch configuration ${group.LaunchConfigurationName}. Quadraxis deploys by adding a launch template version, and launch configurations have none: copy it to a launch template (EC2 console: Launch configurations → Copy to launch template), point the group at it, and deploy again.`,
    );
  }
  const mixed = group.MixedInstancesPolicy;
  const spec = group.LaunchTemplate ?? mixed?.LaunchTemplate?.LaunchTemplateSpecification;
  if (!spec?.LaunchTemplateId && !spec?.LaunchTemplateName) {
    throw refuse('no-template', `Group ${name} names no launch template Quadraxis can add a version to.`);
  }
  const overrides = mixed?.LaunchTemplate?.Overrides ?? [];
  if (overrides.some((o) => o.LaunchTemplateSpecification)) {
    throw refuse(
      'mixed-templates',
      `Group ${name}'s mixed instances policy gives some instance types a launch template of their own; Quadraxis deploys to groups with one launch template (its overrides may name instance types and weights).`,
    );
  }
  if (overrides.some((o) => o.ImageId)) {
    throw refuse(
      'mixed-images',
      `Group ${name}'s mixed instances policy names AMIs per instance type (ImageId overrides); Quadraxis sets the AMI in the launch template, which those overrides would hide.`,
    );
  }
  if (overrides.some((o) => o.InstanceRequirements)) {
    throw refuse(
      'attribute-based',
      `Group ${name} picks instance types by attributes (InstanceRequirements), so Quadraxis cannot check that they can boot the image's architecture; list instance types in its overrides instead.`,
    );
  }
  const versionRef = spec.Version ?? '$Default';
  if (versionRef === '$Latest') {
    throw refuse(
      'latest-version',
      `Group ${name} launches its launch template's $Latest version, so any new version — Quadraxis's included — would reach it at once, before any refresh, and AWS cannot roll a refresh of it back. Point the group at a numbered version (or $Default) and deploy again.`,
    );
  }
  const versions = await calls.send('DescribeLaunchTemplateVersions', (o) =>
    calls.connectionClients().ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        ...(spec.LaunchTemplateId
          ? { LaunchTemplateId: spec.LaunchTemplateId }
          : { LaunchTemplateName: spec.LaunchTemplateName }),
        Versions: [versionRef],
      }),
      o,
    ),
  );
  const version = versions.LaunchTemplateVersions?.[0];
  if (!version?.VersionNumber || !version.LaunchTemplateId) {
    throw refuse('no-template', `Group ${name}'s launch template version ${versionRef} could not be read.`);
  }
  const data = version.LaunchTemplateData ?? {};
  const alias = data.ImageId?.startsWith('resolve:ssm:') ? data.ImageId : undefined;
  const refreshes = await calls.send('autoscaling:DescribeInstanceRefreshes', (o) =>
    calls
      .connectionClients()
      .autoScaling.send(
        new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name, MaxRecords: 5 }),
        o,
      ),
  );
  const active = refreshes.InstanceRefreshes?.find((r) => ACTIVE_REFRESH.includes(r.Status ?? ''));
  return {
    name,
    region,
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
            },
          ]
        : [],
    ),
    template: {
      id: version.LaunchTemplateId,
      name: version.LaunchTemplateName ?? spec.LaunchTemplateName ?? '',
    },
    versionRef,
    source: mixed ? 'mixed' : 'template',
    overrides,
    ...(mixed?.InstancesDistribution ? { distribution: mixed.InstancesDistribution } : {}),
    current: {
      version: version.VersionNumber,
      ...(data.ImageId && !alias ? { imageId: data.ImageId } : {}),
      ...(alias ? { imageAlias: alias } : {}),
      ...(data.InstanceType ? { instanceType: data.InstanceType } : {}),
      ...(data.IamInstanceProfile?.Arn || data.IamInstanceProfile?.Name
        ? { instanceProfile: data.IamInstanceProfile.Arn ?? data.IamInstanceProfile.Name }
        : {}),
    },
    ...(active?.InstanceRefreshId
      ? {
          activeRefresh: {
            id: active.InstanceRefreshId,
            status: active.Status ?? 'InProgress',
            percentage: active.PercentageComplete ?? 0,
          },
        }
      : {}),
  };
}
