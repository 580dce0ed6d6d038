import {
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import type { PermissionAction, PermissionResult } from '../../../shared/aws';
import type { Project } from '../../../shared/project';
import type { AwsClients } from './clients';

/** A well-formed id of no launch template: the template calls are dry-run against it. */
const PLACEHOLDER_TEMPLATE = 'lt-00000000000000000';
const PLACEHOLDER_IMAGE = 'ami-00000000000000000';

/**
 * Auto Scaling has no DryRun, and its changing calls cannot be tried without changing a group (a
 * CancelInstanceRefresh "to see" would cancel someone's refresh). They are reported as not checkable,
 * and the generated policy's DeployRefreshNamedGroups statement is what grants them.
 */
export const UNCHECKABLE: PermissionAction[] = [
  'autoscaling:StartInstanceRefresh',
  'autoscaling:CancelInstanceRefresh',
  'autoscaling:RollbackInstanceRefresh',
  'autoscaling:UpdateAutoScalingGroup',
];

const UNCHECKABLE_NOTE =
  'Auto Scaling has no dry run and this call changes the group, so it is not tried; the generated policy grants it for the groups the project names.';

/** The calls a deploy makes, for a project that names deploy targets in the clients' region. */
export function deployChecks(
  clients: AwsClients,
  project: Project,
  send: { abortSignal?: AbortSignal },
): [PermissionAction, () => Promise<unknown>][] {
  const region = clients.target.region;
  const groups = (project.deploy?.targets ?? [])
    .filter((t) => (t.region ?? project.region ?? region) === region)
    .map((t) => t.group);
  if (groups.length === 0) return [];
  const { ec2, autoScaling } = clients;
  return [
    [
      'ec2:DescribeLaunchTemplateVersions',
      () =>
        ec2.send(
          new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: PLACEHOLDER_TEMPLATE, DryRun: true }),
          send,
        ),
    ],
    [
      'ec2:CreateLaunchTemplateVersion',
      () =>
        ec2.send(
          new CreateLaunchTemplateVersionCommand({
            LaunchTemplateId: PLACEHOLDER_TEMPLATE,
            SourceVersion: '1',
            LaunchTemplateData: { ImageId: PLACEHOLDER_IMAGE },
            DryRun: true,
          }),
          send,
        ),
    ],
    [
      'ec2:ModifyLaunchTemplate',
      () =>
        ec2.send(
          new ModifyLaunchTemplateCommand({
            LaunchTemplateId: PLACEHOLDER_TEMPLATE,
            DefaultVersion: '1',
            DryRun: true,
          }),
          send,
        ),
    ],
    // Reading changes nothing: the real calls are the check.
    [
      'autoscaling:DescribeAutoScalingGroups',
      () => autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groups }), send),
    ],
    [
      'autoscaling:DescribeInstanceRefreshes',
      () =>
        autoScaling.send(
          new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: groups[0]!, MaxRecords: 1 }),
          send,
        ),
    ],
  ];
}

export function uncheckableResults(project: Project): PermissionResult[] {
  if ((project.deploy?.targets.length ?? 0) === 0) return [];
  return UNCHECKABLE.map((action) => ({ action, status: 'unchecked', note: UNCHECKABLE_NOTE }));
}

/** A placeholder template "not found" means EC2 authorized the call first. */
export const PLACEHOLDER_TEMPLATE_MISSING = /^InvalidLaunchTemplateId\.(NotFound|Malformed|VersionNotFound)$/;
