import { z } from 'zod';
import { SandboxError } from '../wire/errors';
import { missing, parseParams } from '../wire/query';
import type { XmlValue } from '../wire/xml';
import type { Ec2Context, Ec2Handler } from './context';
import { checkIdFormat, notFound } from './errors';
import type { SnapshotRecord } from './records';

/**
 * Who may create volumes from a snapshot (ModifySnapshotAttribute / DescribeSnapshotAttribute
 * createVolumePermission): accounts, or everyone for an unencrypted one. EC2 has no organization or OU form
 * here. A snapshot encrypted with the AWS managed key cannot be shared at all: other accounts can never use
 * that key.
 */
const ACCOUNT = /^\d{12}$/;

const PermissionSchema = z.object({ UserId: z.string().optional(), Group: z.string().optional() });

const ModifySchema = z.object({
  SnapshotId: z.string().optional(),
  Attribute: z.string().optional(),
  OperationType: z.enum(['add', 'remove']).optional(),
  UserId: z.array(z.string()).optional(),
  UserGroup: z.array(z.string()).optional(),
  CreateVolumePermission: z
    .object({ Add: z.array(PermissionSchema).optional(), Remove: z.array(PermissionSchema).optional() })
    .optional(),
});

function ownSnapshot(ctx: Ec2Context, snapshotId: string | undefined): SnapshotRecord {
  const id = snapshotId ?? missing('SnapshotId');
  checkIdFormat('snapshot', id);
  const snapshot = ctx.region.snapshots.get(id);
  if (!snapshot) throw notFound('snapshot', [id]);
  return snapshot;
}

export const modifySnapshotAttribute: Ec2Handler = (ctx, tree) => {
  const p = parseParams(ModifySchema, tree);
  const snapshot = ownSnapshot(ctx, p.SnapshotId);
  if (p.Attribute !== undefined && p.Attribute !== 'createVolumePermission')
    throw new SandboxError(
      'InvalidParameterValue',
      `The attribute '${p.Attribute}' cannot be modified by the sandbox.`,
    );
  const changes: { permission: z.output<typeof PermissionSchema>; add: boolean }[] = [
    ...(p.CreateVolumePermission?.Add ?? []).map((permission) => ({ permission, add: true })),
    ...(p.CreateVolumePermission?.Remove ?? []).map((permission) => ({ permission, add: false })),
  ];
  if (p.OperationType !== undefined) {
    const add = p.OperationType === 'add';
    for (const UserId of p.UserId ?? []) changes.push({ permission: { UserId }, add });
    for (const Group of p.UserGroup ?? []) changes.push({ permission: { Group }, add });
  }
  if (changes.length === 0) missing('CreateVolumePermission');
  for (const { permission, add } of changes) {
    if (permission.UserId !== undefined && !ACCOUNT.test(permission.UserId))
      throw new SandboxError(
        'InvalidParameterValue',
        `Value (${permission.UserId}) for parameter userId is invalid. The user ID must be a 12-digit AWS account ID.`,
      );
    if (permission.Group !== undefined && permission.Group !== 'all')
      throw new SandboxError(
        'InvalidParameterValue',
        `Value (${permission.Group}) for parameter group is invalid.`,
      );
    if (!add) continue;
    if (permission.Group !== undefined && snapshot.encrypted)
      throw new SandboxError(
        'OperationNotPermitted',
        'Encrypted snapshots and snapshots with AWS Marketplace product codes cannot be made public.',
      );
    if (snapshot.encrypted && isAwsManagedKey(ctx, snapshot.kmsKeyId))
      throw new SandboxError(
        'OperationNotPermitted',
        "Snapshots encrypted with the AWS Managed CMK can't be shared. Try again with a customer managed CMK.",
      );
  }
  snapshot.createVolumeUserIds ??= new Set();
  for (const { permission, add } of changes) {
    if (permission.UserId === undefined) continue;
    if (add) snapshot.createVolumeUserIds.add(permission.UserId);
    else snapshot.createVolumeUserIds.delete(permission.UserId);
  }
  return { return: true };
};

function isAwsManagedKey(ctx: Ec2Context, keyArn: string | undefined): boolean {
  return keyArn === undefined || ctx.kms.resolve(keyArn)?.keyManager === 'AWS';
}

const DescribeSchema = z.object({ SnapshotId: z.string().optional(), Attribute: z.string().optional() });

export const describeSnapshotAttribute: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DescribeSchema, tree);
  const attribute = p.Attribute ?? missing('Attribute');
  const snapshot = ownSnapshot(ctx, p.SnapshotId);
  const body: { [key: string]: XmlValue } = { snapshotId: snapshot.snapshotId };
  if (attribute === 'createVolumePermission')
    body.createVolumePermission = [...(snapshot.createVolumeUserIds ?? [])].map((userId) => ({ userId }));
  else if (attribute === 'productCodes') body.productCodes = [];
  else
    throw new SandboxError(
      'InvalidParameterValue',
      `Value (${attribute}) for parameter attribute is invalid.`,
    );
  return body;
};
