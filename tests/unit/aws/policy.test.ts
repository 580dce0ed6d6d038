import { describe, expect, it } from 'vitest';
import { generatePolicy } from '../../../src/main/services/aws/policy';
import { GeneratedPolicySchema, type IamStatement } from '../../../src/shared/aws';
import type { Env } from '../../../src/shared/project';
import { project } from './project-fixtures';

function statement(statements: IamStatement[], sid: string): IamStatement {
  const found = statements.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

const actionsOf = (statements: IamStatement[]) => statements.flatMap((s) => [s.Action].flat()).sort();

describe('generatePolicy', () => {
  const full = project({
    region: 'eu-west-1',
    subnetId: 'subnet-0abc1234',
    securityGroupIds: ['sg-0abc1234', 'sg-0def5678'],
    keyName: 'ops',
    iamInstanceProfile: 'builder-profile',
  });
  const { policy, explanations } = GeneratedPolicySchema.parse(
    generatePolicy(full, { accountId: '123456789012' }),
  );
  const statements = policy.Statement;

  it('grants the seed post’s five actions plus exactly what the engine needs', () => {
    expect(new Set(actionsOf(statements))).toEqual(
      new Set([
        'ec2:RunInstances',
        'ec2:DescribeInstances',
        'ec2:CreateImage',
        'ec2:DescribeImages',
        'ec2:TerminateInstances',
        'ec2:StopInstances',
        'ec2:CreateTags',
        'ec2:GetConsoleOutput',
        'ec2:DeregisterImage',
        'ec2:DeleteSnapshot',
        'ec2:DescribeSnapshots',
        'ssm:GetParameter',
        'iam:PassRole',
      ]),
    );
    expect(explanations.map((e) => e.sid)).toEqual(statements.map((s) => s.Sid));
    for (const e of explanations) expect(e.text.length).toBeGreaterThan(20);
    expect(policy.Version).toBe('2012-10-17');
  });

  it('launches only tagged builders, with only the project’s own network resources', () => {
    expect(statement(statements, 'LaunchTaggedBuilder')).toEqual({
      Sid: 'LaunchTaggedBuilder',
      Effect: 'Allow',
      Action: 'ec2:RunInstances',
      Resource: 'arn:aws:ec2:eu-west-1:123456789012:instance/*',
      Condition: { StringEquals: { 'aws:RequestTag/quadraxis:role': 'builder' } },
    });
    expect(statement(statements, 'LaunchWithProjectResources').Resource).toEqual([
      'arn:aws:ec2:eu-west-1::image/*',
      'arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0abc1234',
      'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc1234',
      'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0def5678',
      'arn:aws:ec2:eu-west-1:123456789012:network-interface/*',
      'arn:aws:ec2:eu-west-1:123456789012:volume/*',
      'arn:aws:ec2:eu-west-1:123456789012:key-pair/ops',
    ]);
  });

  it('tags only on create, and stops, images, reads or terminates only builders', () => {
    expect(statement(statements, 'TagOnlyWhileCreating').Condition).toEqual({
      StringEquals: { 'ec2:CreateAction': ['RunInstances', 'CreateImage'] },
    });
    const manage = statement(statements, 'ManageOnlyBuilders');
    expect(manage.Action).toEqual([
      'ec2:GetConsoleOutput',
      'ec2:StopInstances',
      'ec2:CreateImage',
      'ec2:TerminateInstances',
    ]);
    expect(manage.Resource).toBe('arn:aws:ec2:eu-west-1:123456789012:instance/*');
    expect(manage.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/quadraxis:role': 'builder' } });
    expect(statement(statements, 'CleanUpProjectImages').Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/quadraxis:project': 'web' },
    });
    // Nothing that changes a resource is granted on "*".
    const unscoped = statements.filter((s) => s.Resource === '*');
    expect(unscoped.map((s) => s.Sid)).toEqual(['DescribeBakeResources']);
  });

  it('reads only the project’s SSM alias and passes the role only to EC2', () => {
    expect(statement(statements, 'ReadBaseImageParameter').Resource).toBe(
      'arn:aws:ssm:eu-west-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    );
    expect(statement(statements, 'PassBuilderRole')).toMatchObject({
      Resource: 'arn:aws:iam::123456789012:role/*',
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    });
  });

  it('narrows to a fixed AMI, widens to the default VPC, and leaves out what the project does not use', () => {
    const minimal = generatePolicy(project({ baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' } }));
    const sids = minimal.policy.Statement.map((s) => s.Sid);
    expect(sids).not.toContain('ReadBaseImageParameter');
    expect(sids).not.toContain('PassBuilderRole');
    expect(statement(minimal.policy.Statement, 'LaunchWithProjectResources').Resource).toEqual([
      'arn:aws:ec2:*::image/ami-0123456789abcdef0',
      'arn:aws:ec2:*:*:subnet/*',
      'arn:aws:ec2:*:*:security-group/*',
      'arn:aws:ec2:*:*:network-interface/*',
      'arn:aws:ec2:*:*:volume/*',
    ]);
    const china = generatePolicy(project({ region: 'cn-north-1' }), { forms: true });
    expect(statement(china.policy.Statement, 'LaunchTaggedBuilder').Resource).toBe(
      'arn:aws-cn:ec2:cn-north-1:*:instance/*',
    );
    expect(statement(china.policy.Statement, 'BrowseForProjectForm').Action).toContain('ec2:DescribeSubnets');
  });

  it('lets preflight look up a secret referenced by name, only when one is', () => {
    const withRefs = (env: Env) =>
      statement(
        generatePolicy(project({ region: 'eu-west-1', iamInstanceProfile: 'builder-profile', env }), {
          accountId: '123456789012',
        }).policy.Statement,
        'CheckBuilderRoleReads',
      );
    const byName = withRefs({
      API_TOKEN: { secretsManager: 'prod/api', key: 'token' },
      API_USER: { secretsManager: 'prod/api', key: 'user' },
    });
    expect(byName.Action).toEqual([
      'iam:GetInstanceProfile',
      'iam:SimulatePrincipalPolicy',
      'secretsmanager:DescribeSecret',
    ]);
    expect(byName.Resource).toContain('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-??????');
    expect([byName.Resource].flat().filter((r) => r.includes(':secret:'))).toHaveLength(1);
    const explained = generatePolicy(
      project({ iamInstanceProfile: 'builder-profile', env: { T: { secretsManager: 'prod/api' } } }),
    ).explanations.find((e) => e.sid === 'CheckBuilderRoleReads');
    expect(explained?.text).toMatch(/DescribeSecret looks up the full ARN of prod\/api/);

    // A parameter, or a secret named by its ARN, needs no lookup.
    const byArn = withRefs({
      DB: { ssm: '/app/prod/db' },
      T: { secretsManager: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-AbC123' },
    });
    expect(byArn.Action).toEqual(['iam:GetInstanceProfile', 'iam:SimulatePrincipalPolicy']);
    expect([byArn.Resource].flat().some((r) => r.includes('secretsmanager'))).toBe(false);
  });
});
