import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CopyImageCommand,
  DescribeLaunchTemplateVersionsCommand,
  DisableImageCommand,
  EnableImageDeprecationCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import type { PermissionAction } from '../../../shared/aws';
import type { Project } from '../../../shared/project';
import { deliveryPlan } from '../delivery/plan';
import type { AwsClients } from './clients';

export type Check = [PermissionAction, () => Promise<unknown>];

/** DryRun's success, or a placeholder id EC2 looked up only after authorizing the call. */
function passed(error: unknown): boolean {
  const code = (error as { name?: string } | null)?.name ?? '';
  return (
    code === 'DryRunOperation' || /^Invalid(AMIID|SnapshotID|Snapshot)\.(NotFound|Malformed)$/.test(code)
  );
}

/** Well-formed ids of nothing, as the bake checks use (see permissions.ts). */
const PLACEHOLDER_IMAGE = 'ami-00000000000000000';
const PLACEHOLDER_SNAPSHOT = 'snap-00000000000000000';

/**
 * The calls a distributing or pruning bake adds, checked like the rest: EC2 dry-runs against placeholder ids
 * (in each copy region for CopyImage, which runs there), and real read-only calls where the service has no
 * DryRun (KMS DescribeKey in every region, Auto Scaling's DescribeAutoScalingGroups). PutParameter cannot be
 * tried without writing the parameter, so it is left to the policy (which grants exactly that name).
 */
export function deliveryChecks(
  clients: AwsClients,
  project: Project,
  regionClients: (region: string) => Promise<AwsClients>,
  send: { abortSignal?: AbortSignal },
): Check[] {
  const d = project.distribution;
  const r = project.retention;
  if (!d && !r) return [];
  // The checks never name the parameter (PutParameter is left to the policy): any environment's plan will do.
  const plan = deliveryPlan(project, clients.target.region, undefined);
  const checks: Check[] = [];
  const inEach = async (regions: string[], call: (c: AwsClients) => Promise<unknown>) => {
    // The first refusal is the answer; an allowed region (DryRun's "would have succeeded" is thrown) says
    // nothing about the next, so every region is asked.
    for (const region of regions) {
      try {
        await call(region === clients.target.region ? clients : await regionClients(region));
      } catch (error) {
        if (!passed(error)) throw error;
      }
    }
  };
  if (plan.copies.length > 0) {
    checks.push([
      'ec2:CopyImage',
      () =>
        inEach(plan.copies, (c) =>
          c.ec2.send(
            new CopyImageCommand({
              SourceRegion: plan.home,
              SourceImageId: PLACEHOLDER_IMAGE,
              Name: `${project.name}-permission-check`,
              DryRun: true,
            }),
            send,
          ),
        ),
    ]);
  }
  if (plan.shares) {
    checks.push([
      'ec2:ModifyImageAttribute',
      () =>
        clients.ec2.send(
          new ModifyImageAttributeCommand({
            ImageId: PLACEHOLDER_IMAGE,
            LaunchPermission: { Add: [{ UserId: plan.shareWith.accounts[0] ?? '111122223333' }] },
            DryRun: true,
          }),
          send,
        ),
    ]);
    if (plan.shareWith.snapshots && plan.shareWith.accounts.length > 0)
      checks.push([
        'ec2:ModifySnapshotAttribute',
        () =>
          clients.ec2.send(
            new ModifySnapshotAttributeCommand({
              SnapshotId: PLACEHOLDER_SNAPSHOT,
              Attribute: 'createVolumePermission',
              OperationType: 'add',
              UserIds: plan.shareWith.accounts,
              DryRun: true,
            }),
            send,
          ),
      ]);
  }
  if (plan.deprecateOlder)
    checks.push([
      'ec2:EnableImageDeprecation',
      () =>
        clients.ec2.send(
          new EnableImageDeprecationCommand({
            ImageId: PLACEHOLDER_IMAGE,
            DeprecateAt: new Date(Date.now() + 3_600_000),
            DryRun: true,
          }),
          send,
        ),
    ]);
  if (r?.disableForDays !== undefined)
    checks.push([
      'ec2:DisableImage',
      () => clients.ec2.send(new DisableImageCommand({ ImageId: PLACEHOLDER_IMAGE, DryRun: true }), send),
    ]);
  if (r) {
    checks.push([
      'ec2:DescribeLaunchTemplateVersions',
      () =>
        clients.ec2.send(
          new DescribeLaunchTemplateVersionsCommand({ Versions: ['$Latest'], DryRun: true }),
          send,
        ),
    ]);
    checks.push([
      'autoscaling:DescribeAutoScalingGroups',
      () => clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 1 }), send),
    ]);
  }
  if (plan.encrypt) {
    checks.push([
      'kms:DescribeKey',
      () =>
        inEach(plan.regions, (c) =>
          c.kms.send(new DescribeKeyCommand({ KeyId: plan.keys[c.target.region] ?? 'alias/aws/ebs' }), send),
        ),
    ]);
  }
  return checks;
}
