import { z } from 'zod';
import { SandboxError } from '../wire/errors';
import { missing, parseParams } from '../wire/query';
import type { XmlValue } from '../wire/xml';
import type { Ec2Context, Ec2Handler } from './context';
import { checkIdFormat, notFound } from './errors';
import { imageState } from './images';
import type { ImageRecord, LaunchPermissions } from './records';

/**
 * Who may launch an image (ModifyImageAttribute / DescribeImageAttribute launchPermission: accounts,
 * organizations, organizational units, or everyone), when it is deprecated (EnableImageDeprecation /
 * DisableImageDeprecation) and whether it is disabled (DisableImage / EnableImage). Only the owner may
 * change any of it.
 */
const ACCOUNT = /^\d{12}$/;
const ORGANIZATION_ARN = /^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/;
const OU_ARN =
  /^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const MINUTE = 60_000;
const TEN_YEARS = 10 * 365 * 24 * 3_600_000;

const PermissionSchema = z.object({
  UserId: z.string().optional(),
  Group: z.string().optional(),
  OrganizationArn: z.string().optional(),
  OrganizationalUnitArn: z.string().optional(),
});

const ModifySchema = z.object({
  ImageId: z.string().optional(),
  Attribute: z.string().optional(),
  OperationType: z.enum(['add', 'remove']).optional(),
  UserId: z.array(z.string()).optional(),
  UserGroup: z.array(z.string()).optional(),
  OrganizationArn: z.array(z.string()).optional(),
  OrganizationalUnitArn: z.array(z.string()).optional(),
  LaunchPermission: z
    .object({ Add: z.array(PermissionSchema).optional(), Remove: z.array(PermissionSchema).optional() })
    .optional(),
  Description: z.object({ Value: z.string().max(255).optional() }).optional(),
  Value: z.string().optional(),
});

type Permission = z.output<typeof PermissionSchema>;

/** The caller's own image, looked up by id (EC2 answers AuthFailure for one it does not own). */
export function ownImage(ctx: Ec2Context, imageId: string | undefined): ImageRecord {
  const id = imageId ?? missing('ImageId');
  checkIdFormat('image', id);
  const image = ctx.region.images.get(id);
  if (!image) throw notFound('image', [id]);
  if (image.ownerId !== ctx.accountId)
    throw new SandboxError('AuthFailure', `Not authorized for image:${id}`);
  return image;
}

function itemValue(kind: string, value: string): SandboxError {
  return new SandboxError(
    'InvalidAMIAttributeItemValue',
    `Invalid attribute item value "${value}" for ${kind} item type.`,
  );
}

function check(permission: Permission): void {
  const given = Object.values(permission).filter((v) => v !== undefined);
  if (given.length !== 1)
    throw new SandboxError(
      'InvalidParameterCombination',
      'A launch permission names exactly one of UserId, Group, OrganizationArn or OrganizationalUnitArn.',
    );
  if (permission.UserId !== undefined && !ACCOUNT.test(permission.UserId))
    throw itemValue('userId', permission.UserId);
  if (permission.Group !== undefined && permission.Group !== 'all')
    throw itemValue('group', permission.Group);
  if (permission.OrganizationArn !== undefined && !ORGANIZATION_ARN.test(permission.OrganizationArn))
    throw itemValue('organizationArn', permission.OrganizationArn);
  if (permission.OrganizationalUnitArn !== undefined && !OU_ARN.test(permission.OrganizationalUnitArn))
    throw itemValue('organizationalUnitArn', permission.OrganizationalUnitArn);
}

export function permissionsOf(image: ImageRecord): LaunchPermissions {
  image.launchPermissions ??= {
    userIds: new Set(),
    organizationArns: new Set(),
    organizationalUnitArns: new Set(),
  };
  return image.launchPermissions;
}

function apply(image: ImageRecord, permission: Permission, add: boolean): void {
  const perms = permissionsOf(image);
  const edit = (set: Set<string>, value: string) => (add ? set.add(value) : set.delete(value));
  if (permission.Group !== undefined) image.isPublic = add;
  if (permission.UserId !== undefined) edit(perms.userIds, permission.UserId);
  if (permission.OrganizationArn !== undefined) edit(perms.organizationArns, permission.OrganizationArn);
  if (permission.OrganizationalUnitArn !== undefined)
    edit(perms.organizationalUnitArns, permission.OrganizationalUnitArn);
}

export const modifyImageAttribute: Ec2Handler = (ctx, tree) => {
  const p = parseParams(ModifySchema, tree);
  const image = ownImage(ctx, p.ImageId);
  const description = p.Description?.Value ?? (p.Attribute === 'description' ? p.Value : undefined);
  if (description !== undefined) {
    image.description = description;
    return { return: true };
  }
  const changes: { permission: Permission; add: boolean }[] = [
    ...(p.LaunchPermission?.Add ?? []).map((permission) => ({ permission, add: true })),
    ...(p.LaunchPermission?.Remove ?? []).map((permission) => ({ permission, add: false })),
  ];
  if (p.Attribute !== undefined && p.Attribute !== 'launchPermission')
    throw new SandboxError(
      'InvalidParameterValue',
      `The attribute '${p.Attribute}' cannot be modified by the sandbox.`,
    );
  if (p.Attribute === 'launchPermission') {
    const add = (p.OperationType ?? missing('OperationType')) === 'add';
    for (const UserId of p.UserId ?? []) changes.push({ permission: { UserId }, add });
    for (const Group of p.UserGroup ?? []) changes.push({ permission: { Group }, add });
    for (const OrganizationArn of p.OrganizationArn ?? [])
      changes.push({ permission: { OrganizationArn }, add });
    for (const OrganizationalUnitArn of p.OrganizationalUnitArn ?? [])
      changes.push({ permission: { OrganizationalUnitArn }, add });
  }
  if (changes.length === 0) missing('LaunchPermission');
  // Everything is checked before anything changes: one bad item leaves the image as it was.
  for (const { permission } of changes) check(permission);
  const state = imageState(image, ctx.now);
  if (state === 'disabled' && changes.some((c) => c.add))
    throw new SandboxError(
      'InvalidParameterValue',
      `The image ${image.imageId} is disabled and cannot be shared.`,
    );
  if (
    changes.some((c) => c.add && c.permission.Group !== undefined) &&
    image.devices.some((d) => d.encrypted)
  )
    throw new SandboxError('InvalidParameter', 'Images with encrypted snapshots cannot be made public.');
  for (const { permission, add } of changes) apply(image, permission, add);
  return { return: true };
};

const DescribeSchema = z.object({ ImageId: z.string().optional(), Attribute: z.string().optional() });

export function launchPermissionXml(image: ImageRecord): XmlValue[] {
  const perms = permissionsOf(image);
  return [
    ...(image.isPublic ? [{ group: 'all' }] : []),
    ...[...perms.userIds].map((userId) => ({ userId })),
    ...[...perms.organizationArns].map((organizationArn) => ({ organizationArn })),
    ...[...perms.organizationalUnitArns].map((organizationalUnitArn) => ({ organizationalUnitArn })),
  ];
}

export const describeImageAttribute: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DescribeSchema, tree);
  const attribute = p.Attribute ?? missing('Attribute');
  const image = ownImage(ctx, p.ImageId);
  const body: { [key: string]: XmlValue } = { imageId: image.imageId };
  switch (attribute) {
    case 'launchPermission':
      body.launchPermission = launchPermissionXml(image);
      break;
    case 'description':
      body.description = { value: image.description };
      break;
    case 'bootMode':
      body.bootMode = { value: image.bootMode };
      break;
    case 'imdsSupport':
      body.imdsSupport = { value: 'v2.0' };
      break;
    case 'blockDeviceMapping':
      body.blockDeviceMapping = image.devices.map((d) => ({
        deviceName: d.deviceName,
        ebs: {
          snapshotId: d.snapshotId,
          volumeSize: d.volumeSize,
          volumeType: d.volumeType,
          encrypted: d.encrypted === true,
        },
      }));
      break;
    case 'kernel':
    case 'ramdisk':
    case 'productCodes':
    case 'sriovNetSupport':
    case 'tpmSupport':
    case 'uefiData':
    case 'lastLaunchedTime':
    case 'deregistrationProtection':
      break;
    default:
      throw new SandboxError(
        'InvalidRequest',
        `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`,
      );
  }
  return body;
};

const DeprecationSchema = z.object({ ImageId: z.string().optional(), DeprecateAt: z.string().optional() });

export const enableImageDeprecation: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DeprecationSchema, tree);
  const image = ownImage(ctx, p.ImageId);
  const raw = p.DeprecateAt ?? missing('DeprecateAt');
  const at = Date.parse(raw);
  if (Number.isNaN(at))
    throw new SandboxError('InvalidParameterValue', `Invalid value '${raw}' for DeprecateAt.`);
  // EC2 rounds to the nearest minute and refuses the past (a minute's grace for clocks) and beyond ten years.
  const rounded = Math.round(at / MINUTE) * MINUTE;
  if (rounded < ctx.now - MINUTE)
    throw new SandboxError('InvalidParameterValue', 'The deprecation time must be in the future.');
  if (rounded > ctx.now + TEN_YEARS)
    throw new SandboxError('InvalidParameterValue', 'The deprecation time can be at most 10 years from now.');
  image.deprecationTime = rounded;
  return { return: true };
};

export const disableImageDeprecation: Ec2Handler = (ctx, tree) => {
  const image = ownImage(ctx, parseParams(DeprecationSchema, tree).ImageId);
  delete image.deprecationTime;
  return { return: true };
};

const ImageIdSchema = z.object({ ImageId: z.string().optional() });

/**
 * DisableImage: the image is hidden from DescribeImages (unless IncludeDisabled), cannot be launched, and
 * loses every launch permission — public, accounts, organizations — which EnableImage does not give back.
 */
export const disableImage: Ec2Handler = (ctx, tree) => {
  const image = ownImage(ctx, parseParams(ImageIdSchema, tree).ImageId);
  const state = imageState(image, ctx.now);
  if (state === 'disabled') return { return: true };
  if (state !== 'available')
    throw new SandboxError(
      'IncorrectState',
      `The image ${image.imageId} is ${state} and cannot be disabled.`,
    );
  image.disabledAt = ctx.now;
  image.isPublic = false;
  delete image.launchPermissions;
  return { return: true };
};

export const enableImage: Ec2Handler = (ctx, tree) => {
  const image = ownImage(ctx, parseParams(ImageIdSchema, tree).ImageId);
  delete image.disabledAt;
  return { return: true };
};
