import type { GeneratedPolicy, IamStatement } from '../../../shared/aws';
import type { Project } from '../../../shared/project';
import { ROLE_BUILDER, TAG_PROJECT, TAG_ROLE } from '../../../protocol/builder-tags';
import { envReferences } from '../../../shared/environments';
import { partitionOf, secretNameArn } from './arns';
import { deployStatements } from './policy-deploy';
import { deliveryStatements } from './policy-delivery';

export interface PolicyOptions {
  /** 12-digit account id; `*` when omitted. */
  accountId?: string;
  /** Defaults to the project's region, else `*`. */
  region?: string;
  /** Also allow the read-only calls the app's project form makes (instance types, VPCs, subnets, key pairs). */
  forms?: boolean;
  /** The instance profiles the deploy targets' launch templates name, when read from AWS. */
  deployInstanceProfiles?: string[];
}

type Explained = IamStatement & { explanation: string };

/**
 * A least-privilege IAM policy for baking this project. Where the seed post granted five actions on
 * everything, this one only lets the identity launch instances tagged as Quadraxis builders, touch
 * instances carrying that tag, tag resources only while creating them, and clean up only this project's
 * images. The tags come from builder-launch.ts, which the permission check and the engine both use.
 */
export function generatePolicy(project: Project, options: PolicyOptions = {}): GeneratedPolicy {
  const region = options.region ?? project.region ?? '*';
  const account = options.accountId ?? '*';
  const partition = partitionOf(region);
  const ec2 = (resource: string, withAccount = true) =>
    `arn:${partition}:ec2:${region}:${withAccount ? account : ''}:${resource}`;
  const builderTag = { [`aws:ResourceTag/${TAG_ROLE}`]: ROLE_BUILDER };
  const base = project.baseImage;

  const statements: Explained[] = [
    {
      Sid: 'LaunchTaggedBuilder',
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: ec2('instance/*'),
      Condition: { StringEquals: { [`aws:RequestTag/${TAG_ROLE}`]: ROLE_BUILDER } },
      explanation: `Launch the builder instance, only when the request tags it ${TAG_ROLE}=${ROLE_BUILDER} — so every instance this identity starts can be found and swept.`,
    },
    {
      Sid: 'LaunchWithProjectResources',
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: [
        base.kind === 'id' ? ec2(`image/${base.imageId}`, false) : ec2('image/*', false),
        ec2(project.subnetId ? `subnet/${project.subnetId}` : 'subnet/*'),
        ...(project.securityGroupIds.length > 0
          ? project.securityGroupIds.map((id) => ec2(`security-group/${id}`))
          : [ec2('security-group/*')]),
        ec2('network-interface/*'),
        ec2('volume/*'),
        ...(project.keyName ? [ec2(`key-pair/${project.keyName}`)] : []),
      ],
      explanation:
        'The other resources RunInstances touches: ' +
        [
          base.kind === 'id'
            ? `only the base image ${base.imageId}`
            : 'the base image (it changes as new releases appear)',
          project.subnetId ? `only subnet ${project.subnetId}` : 'a subnet of the default VPC',
          project.securityGroupIds.length > 0
            ? 'only the project’s security groups'
            : 'the default security group',
          'a new network interface and root volume',
          ...(project.keyName ? [`only key pair ${project.keyName}`] : []),
        ].join(', ') +
        '.',
    },
    {
      Sid: 'TagOnlyWhileCreating',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: [
        ec2('instance/*'),
        ec2('volume/*'),
        ec2('network-interface/*'),
        ec2('image/*', false),
        ec2('snapshot/*', false),
      ],
      Condition: { StringEquals: { 'ec2:CreateAction': ['RunInstances', 'CreateImage'] } },
      explanation:
        'Tag the builder, its volume, the image and its snapshots as RunInstances and CreateImage create them — never retag an existing resource (which could turn any instance into a "builder").',
    },
    {
      Sid: 'ManageOnlyBuilders',
      Effect: 'Allow',
      Action: ['ec2:GetConsoleOutput', 'ec2:StopInstances', 'ec2:CreateImage', 'ec2:TerminateInstances'],
      Resource: ec2('instance/*'),
      Condition: { StringEquals: builderTag },
      explanation: `Read the builder's console (the script's progress), stop it, image it and terminate it — only instances tagged ${TAG_ROLE}=${ROLE_BUILDER}.`,
    },
    {
      Sid: 'CreateImageFromBuilder',
      Effect: 'Allow',
      Action: 'ec2:CreateImage',
      Resource: [ec2('image/*', false), ec2('snapshot/*', false)],
      explanation: 'The new image and its snapshots that CreateImage makes from the stopped builder.',
    },
    {
      Sid: 'CleanUpProjectImages',
      Effect: 'Allow',
      Action: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
      Resource: [ec2('image/*', false), ec2('snapshot/*', false)],
      Condition: { StringEquals: { [`aws:ResourceTag/${TAG_PROJECT}`]: project.name } },
      explanation: `Remove a half-made image and its snapshots after a failed or cancelled bake — only those tagged ${TAG_PROJECT}=${project.name}.`,
    },
    {
      Sid: 'DescribeBakeResources',
      Effect: 'Allow',
      Action: ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeSnapshots'],
      Resource: '*',
      explanation:
        'Find the base image and follow the builder, the image and its snapshots. EC2 Describe calls cannot be limited to resources, and they change nothing.',
    },
  ];

  statements.push(...deliveryStatements(project, { partition, account, home: region }));

  if (base.kind === 'ssm') {
    const name = base.parameter.replace(/^\//, '');
    const publicParameter = base.parameter.startsWith('/aws/service/');
    statements.push({
      Sid: 'ReadBaseImageParameter',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: `arn:${partition}:ssm:${region}:${publicParameter ? '' : account}:parameter/${name}`,
      explanation: `Read ${base.parameter}, the parameter naming the newest base image — that parameter only.`,
    });
  }
  if (project.iamInstanceProfile) {
    statements.push({
      Sid: 'PassBuilderRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:${partition}:iam::${account}:role/*`,
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      explanation: `Hand the role inside instance profile ${project.iamInstanceProfile} to the builder, and only to EC2. Replace role/* with that role's name to narrow it further.`,
    });
  }
  if (project.iamInstanceProfile && envReferences(project.env).length > 0) {
    // A secret named without an ARN is looked up (DescribeSecret) so IAM is asked about its exact ARN.
    const secretsByName = [
      ...new Set(
        envReferences(project.env).flatMap(([, ref]) =>
          'secretsManager' in ref && !ref.secretsManager.startsWith('arn:') ? [ref.secretsManager] : [],
        ),
      ),
    ];
    statements.push({
      Sid: 'CheckBuilderRoleReads',
      Effect: 'Allow',
      Action: [
        'iam:GetInstanceProfile',
        'iam:SimulatePrincipalPolicy',
        ...(secretsByName.length > 0 ? ['secretsmanager:DescribeSecret'] : []),
      ],
      Resource: [
        `arn:${partition}:iam::${account}:instance-profile/${project.iamInstanceProfile.split('/').at(-1)}`,
        `arn:${partition}:iam::${account}:role/*`,
        ...secretsByName.map((name) => secretNameArn(partition, region, account, name)),
      ],
      explanation:
        'Optional: lets preflight ask IAM whether the builder’s role may read the env references, so a missing permission fails before anything is launched rather than on the builder.' +
        (secretsByName.length > 0
          ? ` DescribeSecret looks up the full ARN of ${secretsByName.join(', ')} (referenced by name), because IAM judges a role policy naming that exact ARN only against the ARN itself; it reads no value, and without it a denial of such a secret is reported as not checkable.`
          : ''),
    });
  }
  if (options.forms) {
    statements.push({
      Sid: 'BrowseForProjectForm',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeVpcs',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeKeyPairs',
      ],
      Resource: '*',
      explanation:
        'Fill the project form’s pickers (instance types, VPCs, subnets, security groups, key pairs); read-only.',
    });
  }

  statements.push(
    ...deployStatements(project, {
      partition,
      account,
      region,
      ...(options.deployInstanceProfiles ? { instanceProfiles: options.deployInstanceProfiles } : {}),
    }),
  );

  return {
    policy: {
      Version: '2012-10-17',
      Statement: statements.map(({ explanation: _, ...statement }) => statement),
    },
    explanations: statements.map((s) => ({ sid: s.Sid, text: s.explanation })),
  };
}
