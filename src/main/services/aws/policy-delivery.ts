import type { IamStatement } from '../../../shared/aws';
import type { Project } from '../../../shared/project';
import { TAG_PROJECT } from '../../../protocol/builder-tags';
import { TAG_DISABLED_AT } from '../delivery/retention/inventory';
import { parameterNames } from '../delivery/plan';

type Explained = IamStatement & { explanation: string };

export interface DeliveryPolicyOptions {
  partition: string;
  account: string;
  /** The bake's region, or `*` when unknown. */
  home: string;
}

/**
 * The statements distribution and retention add to a project's least-privilege policy. Every call that
 * changes an image or snapshot is conditioned on the project's tag (EC2 evaluates aws:ResourceTag on AMIs and
 * snapshots), every call is limited to the project's regions (aws:RequestedRegion), KMS keys are usable only
 * through EC2 (kms:ViaService) and only as the project names them, and the SSM parameters are exactly the names the project's environments publish.
 */
export function deliveryStatements(project: Project, options: DeliveryPolicyOptions): Explained[] {
  const { partition, account, home } = options;
  const d = project.distribution;
  const r = project.retention;
  const regions = [...new Set([home, ...(d?.regions ?? [])])];
  const anyRegion = regions.includes('*');
  const inRegions = (extra: Record<string, string | string[]> = {}) => ({
    StringEquals: { ...(anyRegion ? {} : { 'aws:RequestedRegion': regions }), ...extra },
  });
  const image = `arn:${partition}:ec2:*::image/*`;
  const snapshot = `arn:${partition}:ec2:*::snapshot/*`;
  const projectTag = { [`aws:ResourceTag/${TAG_PROJECT}`]: project.name };
  const statements: Explained[] = [];
  const copies = (d?.regions ?? []).filter((region) => region !== home);

  if (copies.length > 0) {
    statements.push({
      Sid: 'CopyImageToRegions',
      Effect: 'Allow',
      Action: 'ec2:CopyImage',
      Resource: [image, snapshot],
      Condition: { StringEquals: { 'aws:RequestedRegion': copies } },
      explanation: `Copy the new image to ${copies.join(', ')} (CopyImage is called in the destination region), and nowhere else.`,
    });
    statements.push({
      Sid: 'TagCopiesWhileCreating',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: [image, snapshot],
      Condition: {
        StringEquals: { 'ec2:CreateAction': 'CopyImage', [`aws:RequestTag/${TAG_PROJECT}`]: project.name },
      },
      explanation: `Tag each copy and its snapshots like the original (${TAG_PROJECT}=${project.name}) as CopyImage creates them — never later.`,
    });
  }
  const shares = d
    ? d.shareWith.accounts.length + d.shareWith.organizations.length + d.shareWith.organizationalUnits.length
    : 0;
  if (d && shares > 0) {
    const snapshots = d.shareWith.snapshots && d.shareWith.accounts.length > 0;
    statements.push({
      Sid: 'ShareProjectImages',
      Effect: 'Allow',
      Action: snapshots
        ? ['ec2:ModifyImageAttribute', 'ec2:ModifySnapshotAttribute']
        : 'ec2:ModifyImageAttribute',
      Resource: snapshots ? [image, snapshot] : image,
      Condition: inRegions(projectTag),
      explanation: `Grant launch permission${snapshots ? ' (and create-volume permission on the snapshots)' : ''} to the project's accounts, organizations and OUs — only on images tagged ${TAG_PROJECT}=${project.name}.`,
    });
  }
  const retiring = [
    ...(d?.deprecateOlder ? ['ec2:EnableImageDeprecation'] : []),
    ...(r?.disableForDays !== undefined ? ['ec2:DisableImage'] : []),
    ...(r ? ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'] : []),
  ];
  if (regions.length > 1 || retiring.length > 0) {
    statements.push({
      Sid: 'RetireProjectImagesInRegions',
      Effect: 'Allow',
      Action: [...new Set([...retiring, 'ec2:DeregisterImage', 'ec2:DeleteSnapshot'])],
      Resource: [image, snapshot],
      Condition: inRegions(projectTag),
      explanation: `Remove a failed bake's copies${r ? ', retire old images by the retention rules' : ''}${d?.deprecateOlder ? ', deprecate older ones' : ''}${r?.disableForDays !== undefined ? ', disable them first' : ''} — in the project's regions, only images and snapshots tagged ${TAG_PROJECT}=${project.name}.`,
    });
  }
  if (r?.disableForDays !== undefined) {
    statements.push({
      Sid: 'MarkDisabledImages',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: image,
      Condition: {
        StringEquals: projectTag,
        'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG_DISABLED_AT] },
      },
      explanation: `Note on a disabled image when its grace period began (${TAG_DISABLED_AT}) — that tag only, on this project's images only.`,
    });
  }
  if (r) {
    statements.push({
      Sid: 'FindImagesInUse',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeLaunchTemplateVersions',
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeLaunchConfigurations',
      ],
      Resource: '*',
      explanation:
        'See which images launch templates (default and latest versions) and Auto Scaling groups use, so a prune never retires one of them; read-only. A template that resolves an image through another SSM parameter also needs ssm:GetParameter on it — without it that region is reported and left untouched.',
    });
  }
  const keyRegions = d?.encryption ? regions : [];
  if (d?.encryption && keyRegions.length > 0) {
    const configured = [d.encryption.kmsKeyId, ...Object.values(d.encryption.kmsKeyIds)].filter(
      (k): k is string => k !== undefined,
    );
    const arns = configured.filter((k) => k.startsWith('arn:') && k.includes(':key/'));
    const aliases = configured
      .map((k) =>
        k.startsWith('arn:') ? /:(alias\/.+)$/.exec(k)?.[1] : k.startsWith('alias/') ? k : undefined,
      )
      .filter((k): k is string => k !== undefined);
    const keys =
      arns.length === configured.length && configured.length > 0
        ? arns
        : keyRegions.map(
            (region) => `arn:${partition}:kms:${region === '*' ? '*' : region}:${account}:key/*`,
          );
    const byAlias: Record<string, Record<string, string[]>> = aliases.length > 0 && arns.length === 0
      ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } }
      : {};
    const viaEc2 = keyRegions.map((region) => `ec2.${region === '*' ? '*' : region}.amazonaws.com`);
    statements.push({
      Sid: 'DescribeImageKeys',
      Effect: 'Allow',
      Action: 'kms:DescribeKey',
      Resource: keys,
      ...(Object.keys(byAlias).length > 0 ? { Condition: byAlias } : {}),
      explanation: `Check in preflight that each region's key exists, is enabled and may be shared (${configured.length > 0 ? configured.join(', ') : 'alias/aws/ebs'}).`,
    });
    statements.push({
      Sid: 'EncryptImagesThroughEc2',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:ReEncrypt*'],
      Resource: keys,
      Condition: {
        [viaEc2.some((v) => v.includes('*')) ? 'StringLike' : 'StringEquals']: { 'kms:ViaService': viaEc2 },
        ...byAlias,
      },
      explanation:
        'Let EC2 encrypt the builder’s volumes at launch and the copies in each region with the project’s keys — only when EC2 asks (kms:ViaService), never directly.',
    });
  }
  const parameters = parameterNames(project);
  if (parameters.length > 0) {
    const names = parameters.map((name) => name.replace(/^\//, ''));
    const listed = parameters.join(', ');
    statements.push({
      Sid: 'PublishImageParameter',
      Effect: 'Allow',
      Action: ['ssm:PutParameter', 'ssm:GetParameter', 'ssm:DeleteParameter'],
      Resource: regions.flatMap((region) =>
        names.map((name) => `arn:${partition}:ssm:${region}:${account}:parameter/${name}`),
      ),
      explanation: `Point ${parameters.length > 1 ? `each environment's parameter (${listed})` : listed} at the new image in each region, read it back, and put it back (or remove it, if the bake created it) when a bake fails. Parameter Store validates an aws:ec2:image value with the caller's ec2:DescribeImages, which DescribeBakeResources already allows.`,
    });
  }
  return statements;
}
