import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import type { IamStatement } from '../../../shared/aws';
import type { Project } from '../../../shared/project';
import type { AwsClients } from './clients';

type Explained = IamStatement & { explanation: string };

export interface DeployPolicyScope {
  partition: string;
  account: string;
  /** The policy's region: the targets' own regions win. */
  region: string;
  /**
   * The instance profiles the targets' launch templates name, when known (read from AWS); undefined
   * when not known, which keeps the PassRole statement with a note.
   */
  instanceProfiles?: string[];
}

/**
 * What deploying this project's versions needs, scoped to the groups it names: read the groups, their
 * templates and refreshes; add a template version and make it the default; start, cancel and roll back
 * refreshes of those groups only; launch from the template (Auto Scaling checks the caller may) and pass
 * its instance profile's role to EC2 when the template names one.
 */
export function deployStatements(project: Project, scope: DeployPolicyScope): Explained[] {
  const targets = project.deploy?.targets ?? [];
  if (targets.length === 0) return [];
  const { partition, account } = scope;
  const regionOf = (t: (typeof targets)[number]) => t.region ?? project.region ?? scope.region;
  const groupArns = targets.map(
    (t) =>
      `arn:${partition}:autoscaling:${regionOf(t)}:${account}:autoScalingGroup:*:autoScalingGroupName/${t.group}`,
  );
  const templates = [...new Set(targets.map(regionOf))].map(
    (region) => `arn:${partition}:ec2:${region}:${account}:launch-template/*`,
  );
  const names = targets.map((t) => t.group).join(', ');
  const statements: Explained[] = [
    {
      Sid: 'DeployReadGroups',
      Effect: 'Allow',
      Action: [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeInstanceRefreshes',
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeImages',
      ],
      Resource: '*',
      explanation:
        'Read the groups, their launch template versions, instance types and the image before a deploy, and follow the refresh. Describe calls cannot be limited to resources; they change nothing.',
    },
    {
      Sid: 'DeployRefreshNamedGroups',
      Effect: 'Allow',
      Action: [
        'autoscaling:StartInstanceRefresh',
        'autoscaling:CancelInstanceRefresh',
        'autoscaling:RollbackInstanceRefresh',
        'autoscaling:UpdateAutoScalingGroup',
      ],
      Resource: groupArns,
      explanation: `Start, cancel and roll back instance refreshes — and point a $Default group back at $Default afterwards — only for ${names}.`,
    },
    {
      Sid: 'DeployTemplateVersions',
      Effect: 'Allow',
      Action: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'],
      Resource: templates,
      explanation:
        "Add a version with the new AMI to the group's launch template and make it the default. Replace launch-template/* with the groups' template ids (lt-…) to narrow it further.",
    },
    {
      Sid: 'DeployLaunchFromTemplate',
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: templates,
      explanation:
        'Auto Scaling checks that whoever points a group at a launch template version may launch from it; the instances themselves are launched by its service-linked role.',
    },
  ];
  const profiles = scope.instanceProfiles;
  if (profiles === undefined || profiles.length > 0) {
    statements.push({
      Sid: 'DeployPassInstanceProfileRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:${partition}:iam::${account}:role/*`,
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      explanation:
        profiles === undefined
          ? "Needed only when a group's launch template names an instance profile (its role is passed to EC2, and only to EC2); run `quadraxis policy` with --profile to find out, or drop it when none does."
          : `Pass the role of ${profiles.join(', ')} (named by the groups' launch templates) to EC2, and only to EC2. Replace role/* with that role's name to narrow it further.`,
    });
  }
  return statements;
}

/** The instance profiles the project's target groups launch with, read from their launch templates. */
export async function targetInstanceProfiles(clients: AwsClients, project: Project): Promise<string[]> {
  const groups = (project.deploy?.targets ?? [])
    .filter((t) => (t.region ?? project.region ?? clients.target.region) === clients.target.region)
    .map((t) => t.group);
  if (groups.length === 0) return [];
  const out = await clients.autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groups }),
  );
  const profiles = new Set<string>();
  for (const group of out.AutoScalingGroups ?? []) {
    const spec =
      group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    if (!spec?.LaunchTemplateId) continue;
    const versions = await clients.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: spec.LaunchTemplateId,
        Versions: [spec.Version ?? '$Default'],
      }),
    );
    const profile = versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.IamInstanceProfile;
    if (profile?.Arn || profile?.Name) profiles.add((profile.Arn ?? profile.Name)!);
  }
  return [...profiles];
}
