import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkPermissions } from '../../../src/main/services/aws/permissions';
import { generatePolicy } from '../../../src/main/services/aws/policy';
import { targetInstanceProfiles } from '../../../src/main/services/aws/policy-deploy';
import { ProjectSchema, type Project } from '../../../src/shared/project';
import { AMI_V1, DeployHarness, REGION } from './harness';
import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand } from '@aws-sdk/client-ec2';

const project = (deploy?: Project['deploy']): Project =>
  ProjectSchema.parse({
    name: 'web',
    region: REGION,
    baseImage: { kind: 'id', imageId: AMI_V1 },
    initScript: '#!/bin/sh\n',
    ...(deploy ? { deploy } : {}),
  });

describe('the policy generator', () => {
  it('scopes refreshes to the groups the project names, and asks for PassRole only when a template needs it', () => {
    const p = project({
      targets: [{ group: 'web-asg' }, { group: 'web-eu', region: 'eu-central-1' }],
      afterWebhookBake: false,
    });
    const byId = (extra = {}) =>
      Object.fromEntries(
        generatePolicy(p, { accountId: '111122223333', ...extra }).policy.Statement.map((s) => [s.Sid, s]),
      );
    const statements = byId();
    expect(statements.DeployRefreshNamedGroups).toMatchObject({
      Action: [
        'autoscaling:StartInstanceRefresh',
        'autoscaling:CancelInstanceRefresh',
        'autoscaling:RollbackInstanceRefresh',
        'autoscaling:UpdateAutoScalingGroup',
      ],
      Resource: [
        `arn:aws:autoscaling:${REGION}:111122223333:autoScalingGroup:*:autoScalingGroupName/web-asg`,
        'arn:aws:autoscaling:eu-central-1:111122223333:autoScalingGroup:*:autoScalingGroupName/web-eu',
      ],
    });
    expect(statements.DeployTemplateVersions?.Resource).toEqual([
      `arn:aws:ec2:${REGION}:111122223333:launch-template/*`,
      'arn:aws:ec2:eu-central-1:111122223333:launch-template/*',
    ]);
    // Not known whether a template names an instance profile: kept, and the explanation says so.
    expect(statements.DeployPassInstanceProfileRole).toMatchObject({
      Action: 'iam:PassRole',
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    });
    expect(byId({ deployInstanceProfiles: [] }).DeployPassInstanceProfileRole).toBeUndefined();
    const named = generatePolicy(p, { deployInstanceProfiles: ['web-role'] }).explanations.find(
      (e) => e.sid === 'DeployPassInstanceProfileRole',
    );
    expect(named?.text).toContain('web-role');
    // A project that deploys nowhere asks for nothing of the kind.
    expect(generatePolicy(project()).policy.Statement.some((s) => s.Sid.startsWith('Deploy'))).toBe(false);
  });
});

describe('against the Sandbox', () => {
  let h: DeployHarness;
  beforeEach(async () => {
    h = await DeployHarness.create();
  });
  afterEach(() => h.close());

  it('finds the instance profile a target group’s launch template names', async () => {
    const template = await h.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'with-role',
        LaunchTemplateData: {
          ImageId: AMI_V1,
          InstanceType: 't3.micro',
          IamInstanceProfile: { Name: 'web-role' },
        },
      }),
    );
    await h.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web-asg',
        LaunchTemplate: { LaunchTemplateId: template.LaunchTemplate!.LaunchTemplateId!, Version: '1' },
        MinSize: 0,
        MaxSize: 1,
        AvailabilityZones: [`${REGION}a`],
      }),
    );
    const clients = (await h.connect({ profile: 'sandbox', region: REGION })).clients;
    expect(
      await targetInstanceProfiles(
        clients,
        project({ targets: [{ group: 'web-asg' }], afterWebhookBake: false }),
      ),
    ).toEqual(['web-role']);
  });

  it('dry-runs the deploy calls it can, and says which it cannot try without changing a group', async () => {
    await h.group({ size: 1 });
    const clients = (await h.connect({ profile: 'sandbox', region: REGION })).clients;
    const p = project({ targets: [{ group: 'web-asg' }], afterWebhookBake: false });
    const report = await checkPermissions(clients, p);
    const of = (action: string) => report.results.find((r) => r.action === action)?.status;
    expect(of('ec2:CreateLaunchTemplateVersion')).toBe('allowed');
    expect(of('ec2:ModifyLaunchTemplate')).toBe('allowed');
    expect(of('autoscaling:DescribeAutoScalingGroups')).toBe('allowed');
    expect(of('autoscaling:StartInstanceRefresh')).toBe('unchecked');
    expect(report.ok).toBe(true);
    expect(
      h.sim.calls({ action: 'CreateLaunchTemplateVersion' }).every((c) => c.outcome === 'DryRunOperation'),
    ).toBe(true);
    expect(h.sim.calls({ action: 'StartInstanceRefresh' })).toEqual([]);

    h.sim.setDryRunAllowed('CreateLaunchTemplateVersion', false);
    const denied = await checkPermissions(clients, p);
    expect(denied.results.find((r) => r.action === 'ec2:CreateLaunchTemplateVersion')?.status).toBe('denied');
    expect(denied.ok).toBe(false);
  });

  it('asks each action once when retention reads the same templates and groups as deploys', async () => {
    await h.group({ size: 1 });
    const clients = (await h.connect({ profile: 'sandbox', region: REGION })).clients;
    const p = ProjectSchema.parse({
      ...project({ targets: [{ group: 'web-asg' }], afterWebhookBake: false }),
      retention: { keep: 2 },
    });
    const report = await checkPermissions(clients, p);
    const actions = report.results.map((r) => r.action);
    expect(actions.filter((a) => a === 'ec2:DescribeLaunchTemplateVersions')).toHaveLength(1);
    expect(actions.filter((a) => a === 'autoscaling:DescribeAutoScalingGroups')).toHaveLength(1);
    expect(new Set(actions).size).toBe(actions.length);
    expect(report.ok).toBe(true);
  });
});
