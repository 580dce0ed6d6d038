import { z } from 'zod';
import { platformOf } from '../catalogue/base-images';
import { SandboxError } from '../wire/errors';
import { missing, parseParams, qBool } from '../wire/query';
import { isoTime, type XmlValue } from '../wire/xml';
import type { Ec2Context, Ec2Handler } from './context';
import { checkIdFormat, incorrectState, lookupAll, notFound } from './errors';
import { applyFilters, type FilterFields } from './filters';
import { planReboot, stateAt } from './lifecycle';
import { paginate } from './pagination';
import {
  BlockDeviceMappingListSchema,
  FilterListSchema,
  IdListSchema,
  PagingSchema,
  TagSpecificationListSchema,
} from './params';
import type { ImageDevice, ImageRecord } from './records';
import { tagSet, tagsFor } from './tags';
import { LINEAR } from '../timing/progress';
import { captureVmDisk, releaseVmSnapshot } from './vm-images';
import { vmScriptFinished } from './vm-instances';

export type ImageStateName = 'pending' | 'available' | 'failed' | 'disabled';

export function imageState(image: ImageRecord, now: number): ImageStateName {
  if (now < image.readyAt) return 'pending';
  if (image.outcome === 'available' && image.disabledAt !== undefined && image.disabledAt <= now)
    return 'disabled';
  return image.outcome;
}

const CreateImageSchema = z.object({
  InstanceId: z.string().optional(),
  Name: z.string().optional(),
  Description: z.string().max(255).optional(),
  NoReboot: qBool.optional(),
  BlockDeviceMapping: BlockDeviceMappingListSchema,
  TagSpecification: TagSpecificationListSchema,
});

/** How long the reboot CreateImage does (unless NoReboot) takes before the machine boots again. */
const REBOOT_MS = 2_000;
/** EC2's rule for image names (CreateImage, CopyImage, RegisterImage). */
export const AMI_NAME_PATTERN = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/;

export const createImage: Ec2Handler = (ctx, tree) => {
  const p = parseParams(CreateImageSchema, tree);
  const instanceId = p.InstanceId ?? missing('InstanceId');
  const name = p.Name ?? missing('Name');
  checkIdFormat('instance', instanceId);
  const instance = ctx.region.instances.get(instanceId);
  if (!instance) throw notFound('instance', [instanceId]);
  checkNewImageName(ctx, name);
  const state = stateAt(instance, ctx.now);
  if (state !== 'running' && state !== 'stopped') {
    throw incorrectState(
      `The instance '${instanceId}' is not in a state from which an image can be created (state: ${state}).`,
    );
  }
  // A running VM's disk changes under a copy; EC2's crash-consistent snapshot of it is not modelled.
  if (instance.vm && !(state === 'stopped' && instance.vm.diskAtRest)) {
    throw incorrectState(
      `The instance '${instanceId}' is a Sandbox VM: stop it before creating an image (state: ${state}).`,
    );
  }
  const imageTags = tagsFor(p.TagSpecification, 'image', ['image', 'snapshot']);
  const snapshotTags = tagsFor(p.TagSpecification, 'snapshot', ['image', 'snapshot']);
  const scriptCompleteAtCapture = instance.vm
    ? vmScriptFinished(instance)
    : instance.script.doneAt !== null && instance.script.doneAt <= ctx.now;
  if (state === 'running' && !p.NoReboot) planReboot(instance, ctx.now, REBOOT_MS, ctx.timings.bootMs);
  const imageId = ctx.ids.next('ami');
  const readyAt = ctx.now + instance.timing.imageMs;
  const outcome = instance.timing.image ?? ctx.scenario.image ?? 'available';
  const devices: ImageDevice[] = [];
  for (const device of instance.devices) {
    const override = p.BlockDeviceMapping?.find((m) => m.DeviceName === device.deviceName);
    if (override?.NoDevice !== undefined) continue;
    const volume = ctx.region.volumes.get(device.volumeId);
    const snapshotId = ctx.ids.next('snap');
    const volumeSize = Math.max(override?.Ebs?.VolumeSize ?? 0, volume?.size ?? 8);
    ctx.region.snapshots.set(snapshotId, {
      snapshotId,
      region: ctx.region.region,
      volumeId: device.volumeId,
      volumeSize: volume?.size ?? volumeSize,
      description: `Created by CreateImage(${instanceId}) for ${imageId}`,
      startTime: ctx.now,
      readyAt: ctx.now + (instance.timing.snapshotMs ?? instance.timing.imageMs),
      progress: instance.timing.progress ?? LINEAR,
      outcome: outcome === 'failed' ? 'error' : 'completed',
      tags: new Map(snapshotTags),
      ...encryptionOf(volume),
    });
    devices.push({
      deviceName: device.deviceName,
      snapshotId,
      volumeSize,
      volumeType: override?.Ebs?.VolumeType ?? volume?.volumeType ?? 'gp3',
      deleteOnTermination: override?.Ebs?.DeleteOnTermination ?? device.deleteOnTermination,
      ...encryptionOf(volume),
    });
  }
  for (const mapping of p.BlockDeviceMapping ?? []) {
    if (
      mapping.NoDevice !== undefined ||
      !mapping.Ebs ||
      devices.some((d) => d.deviceName === mapping.DeviceName)
    )
      continue;
    if (instance.devices.some((d) => d.deviceName === mapping.DeviceName)) continue;
    devices.push({
      deviceName: mapping.DeviceName,
      volumeSize: mapping.Ebs.VolumeSize ?? missing('BlockDeviceMapping.Ebs.VolumeSize'),
      volumeType: mapping.Ebs.VolumeType ?? 'gp3',
      deleteOnTermination: mapping.Ebs.DeleteOnTermination ?? true,
    });
  }
  const record: ImageRecord = {
    imageId,
    region: ctx.region.region,
    name,
    ...(p.Description !== undefined ? { description: p.Description } : {}),
    ownerId: ctx.accountId,
    isPublic: false,
    architecture: instance.architecture,
    distro: instance.distro,
    rootDeviceName: instance.rootDeviceName,
    bootMode: instance.bootMode,
    devices,
    createdAt: ctx.now,
    readyAt,
    outcome,
    tags: imageTags,
    sourceInstanceId: instanceId,
    scriptCompleteAtCapture,
  };
  ctx.region.images.set(imageId, record);
  if (instance.vm && ctx.vm) {
    const rootSnapshot = devices.find((d) => d.deviceName === instance.rootDeviceName)?.snapshotId;
    if (rootSnapshot) captureVmDisk(ctx.vm, instance, record, ctx.region.snapshots.get(rootSnapshot)!);
  }
  return { imageId };
};

/** EC2's rules for a new image's name (CreateImage, CopyImage): well-formed and not taken in the region. */
export function checkNewImageName(ctx: Ec2Context, name: string): void {
  if (!AMI_NAME_PATTERN.test(name)) {
    throw new SandboxError(
      'InvalidAMIName.Malformed',
      "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/', '[', ']', ' ', '@', ''' and '_'",
    );
  }
  const duplicate = [...ctx.region.images.values()].find(
    (i) => i.ownerId === ctx.accountId && i.name === name,
  );
  if (duplicate)
    throw new SandboxError(
      'InvalidAMIName.Duplicate',
      `AMI name ${name} is already in use by AMI ${duplicate.imageId}`,
    );
}

const imageFields = (now: number): FilterFields<ImageRecord> => ({
  name: (i) => i.name,
  'image-id': (i) => i.imageId,
  state: (i) => imageState(i, now),
  architecture: (i) => i.architecture,
  'owner-id': (i) => i.ownerId,
  'owner-alias': (i) => i.ownerAlias,
  description: (i) => i.description,
  'is-public': (i) => i.isPublic,
  'image-type': () => 'machine',
  'root-device-type': () => 'ebs',
  'root-device-name': (i) => i.rootDeviceName,
  'virtualization-type': () => 'hvm',
  hypervisor: () => 'xen',
  'platform-details': (i) => platformOf(i.distro).platformDetails,
  platform: (i) => platformOf(i.distro).platform,
  'creation-date': (i) => isoTime(i.createdAt),
  'block-device-mapping.snapshot-id': (i) => i.devices.map((d) => d.snapshotId),
  'block-device-mapping.volume-size': (i) => i.devices.map((d) => d.volumeSize),
  'block-device-mapping.volume-type': (i) => i.devices.map((d) => d.volumeType),
  'block-device-mapping.encrypted': (i) => i.devices.map((d) => d.encrypted === true),
  'source-image-id': (i) => i.sourceImageId,
  'source-image-region': (i) => i.sourceImageRegion,
});

/** A snapshot (or device) made from this volume is encrypted as the volume is, with the same key. */
export function encryptionOf(source: { encrypted?: boolean; kmsKeyId?: string } | undefined): {
  encrypted?: boolean;
  kmsKeyId?: string;
} {
  return source?.encrypted
    ? { encrypted: true, ...(source.kmsKeyId ? { kmsKeyId: source.kmsKeyId } : {}) }
    : {};
}

const DescribeImagesSchema = z.object({
  ImageId: IdListSchema,
  Owner: IdListSchema,
  ExecutableBy: IdListSchema,
  Filter: FilterListSchema,
  IncludeDeprecated: qBool.optional(),
  IncludeDisabled: qBool.optional(),
  ...PagingSchema,
});

function ownedBy(ctx: Ec2Context, image: ImageRecord, owners: string[]): boolean {
  return owners.some((owner) =>
    owner === 'self'
      ? image.ownerId === ctx.accountId
      : /^\d{12}$/.test(owner)
        ? image.ownerId === owner
        : image.ownerAlias === owner,
  );
}

export const describeImages: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DescribeImagesSchema, tree);
  for (const owner of p.Owner ?? []) {
    if (!/^(?:self|amazon|aws-marketplace|aws-backup-vault|\d{12})$/.test(owner)) {
      throw new SandboxError('InvalidUserID.Malformed', `Invalid user id: '${owner}'`);
    }
  }
  const candidates = p.ImageId?.length
    ? lookupAll('image', p.ImageId, (id) => ctx.region.images.get(id))
    : [...ctx.region.images.values()].filter((i) => i.isPublic || i.ownerId === ctx.accountId);
  const owned = (p.Owner?.length ? candidates.filter((i) => ownedBy(ctx, i, p.Owner!)) : candidates).filter(
    // A disabled image is listed only when asked for (IncludeDisabled), even by id.
    (i) => p.IncludeDisabled === true || imageState(i, ctx.now) !== 'disabled',
  );
  const matching = applyFilters(owned, p.Filter, imageFields(ctx.now), (i) => i.tags);
  const { page, nextToken } = paginate(matching, 'DescribeImages', p.MaxResults, p.NextToken, {
    min: 5,
    max: 1000,
  });
  return { imagesSet: page.map((i) => imageXml(i, ctx.now)), nextToken };
};

export function imageXml(image: ImageRecord, now: number): XmlValue {
  const state = imageState(image, now);
  return {
    imageId: image.imageId,
    imageLocation: `${image.ownerAlias ?? image.ownerId}/${image.name}`,
    imageState: state,
    imageOwnerId: image.ownerId,
    creationDate: isoTime(image.createdAt),
    isPublic: image.isPublic,
    architecture: image.architecture,
    imageType: 'machine',
    imageOwnerAlias: image.ownerAlias,
    name: image.name,
    description: image.description,
    rootDeviceType: 'ebs',
    rootDeviceName: image.rootDeviceName,
    blockDeviceMapping: image.devices.map((d) => ({
      deviceName: d.deviceName,
      ebs: {
        snapshotId: d.snapshotId,
        volumeSize: d.volumeSize,
        volumeType: d.volumeType,
        deleteOnTermination: d.deleteOnTermination,
        encrypted: d.encrypted === true,
        kmsKeyId: d.kmsKeyId,
      },
    })),
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    enaSupport: true,
    sriovNetSupport: 'simple',
    bootMode: image.bootMode,
    ...platformOf(image.distro),
    usageOperation: 'RunInstances',
    imdsSupport: 'v2.0',
    sourceInstanceId: image.sourceInstanceId,
    sourceImageId: image.sourceImageId,
    sourceImageRegion: image.sourceImageRegion,
    deprecationTime: image.deprecationTime !== undefined ? isoTime(image.deprecationTime) : undefined,
    stateReason: state === 'failed' ? failureXml(image) : undefined,
    tagSet: tagSet(image.tags),
  };
}

function failureXml(image: ImageRecord): XmlValue {
  const reason = image.failureReason ?? {
    code: 'Server.InternalError',
    message: 'Server.InternalError: Internal error on server',
  };
  return { code: reason.code, message: reason.message };
}

const DeregisterSchema = z.object({
  ImageId: z.string().optional(),
  DeleteAssociatedSnapshots: qBool.optional(),
});

export const deregisterImage: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DeregisterSchema, tree);
  const imageId = p.ImageId ?? missing('ImageId');
  checkIdFormat('image', imageId);
  const image = ctx.region.images.get(imageId);
  if (!image) throw notFound('image', [imageId]);
  if (image.ownerId !== ctx.accountId)
    throw new SandboxError('AuthFailure', `Not authorized for image:${imageId}`);
  ctx.region.images.delete(imageId);
  const results: XmlValue[] = [];
  if (p.DeleteAssociatedSnapshots) {
    for (const device of image.devices) {
      if (!device.snapshotId) continue;
      const snapshot = ctx.region.snapshots.get(device.snapshotId);
      if (snapshot) releaseVmSnapshot(ctx.vm, snapshot);
      const deleted = ctx.region.snapshots.delete(device.snapshotId);
      results.push({ snapshotId: device.snapshotId, returnCode: deleted ? 'success' : 'error-generic' });
    }
  }
  return { return: true, ...(p.DeleteAssociatedSnapshots ? { deleteSnapshotResultSet: results } : {}) };
};
