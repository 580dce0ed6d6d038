import { z } from 'zod';
import { SandboxError } from '../wire/errors';
import { missing, parseParams, qBool, qInt, type QueryTree } from '../wire/query';
import type { Ec2Handler } from './context';
import { chooseKey, COPY_FAILURE, requireEncryptedFlag } from './encryption';
import { checkIdFormat, notFound } from './errors';
import { checkNewImageName, imageState } from './images';
import { TagSpecificationListSchema } from './params';
import type { ImageDevice, ImageRecord } from './records';
import { addTags, tagsFor } from './tags';
import { LINEAR } from '../timing/progress';

const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/;
/** EBS gives every copied snapshot this volume id: the copy was made from no volume in this region. */
const COPIED_VOLUME_ID = 'vol-ffffffff';

const CopyImageSchema = z.object({
  SourceRegion: z.string().optional(),
  SourceImageId: z.string().optional(),
  Name: z.string().optional(),
  Description: z.string().max(255).optional(),
  Encrypted: qBool.optional(),
  KmsKeyId: z.string().min(1).optional(),
  ClientToken: z.string().max(64).optional(),
  CopyImageTags: qBool.optional(),
  TagSpecification: TagSpecificationListSchema,
  SnapshotCopyCompletionDurationMinutes: qInt.optional(),
  DestinationOutpostArn: z.string().optional(),
});

/**
 * CopyImage into the caller's region from any region (the same one included). The copy is `pending` for
 * `copyImageMs` with new snapshots whose progress grows meanwhile, then available — or failed, when its KMS
 * key turns out not to exist or not to be enabled (EC2 checks the key asynchronously, so the call itself
 * succeeds), or when the scenario makes copies into this region fail. Copies are encrypted as asked, and an
 * encrypted source stays encrypted. ClientToken makes a retried call return the first call's copy.
 */
export const copyImage: Ec2Handler = (ctx, tree) => {
  const p = parseParams(CopyImageSchema, tree);
  const sourceRegion = p.SourceRegion ?? missing('SourceRegion');
  const sourceImageId = p.SourceImageId ?? missing('SourceImageId');
  const name = p.Name ?? missing('Name');
  if (p.DestinationOutpostArn !== undefined)
    throw new SandboxError('UnsupportedOperation', 'The sandbox does not model Outposts.');
  if (!REGION.test(sourceRegion))
    throw new SandboxError('InvalidParameterValue', `Invalid value '${sourceRegion}' for SourceRegion.`);
  checkIdFormat('image', sourceImageId);
  requireEncryptedFlag(p.KmsKeyId, p.Encrypted);
  if (p.ClientToken) {
    const previous = ctx.region.copyTokens.get(p.ClientToken);
    if (previous) {
      if (previous.fingerprint !== fingerprint(tree))
        throw new SandboxError(
          'IdempotentParameterMismatch',
          'The client token you have provided is associated with a resource that is already deleted or has different parameters. Please use a different client token.',
        );
      return { imageId: previous.imageId };
    }
  }
  const source = ctx.otherRegion(sourceRegion).ec2.images.get(sourceImageId);
  if (!source || (source.ownerId !== ctx.accountId && !source.isPublic)) {
    throw notFound('image', [sourceImageId]);
  }
  const state = imageState(source, ctx.now);
  if (state !== 'available') {
    throw new SandboxError(
      'IncorrectState',
      `Image ${sourceImageId} is not in a valid state for copying (state: ${state}).`,
    );
  }
  checkNewImageName(ctx, name);

  const imageId = ctx.ids.next('ami');
  const readyAt = ctx.now + ctx.timings.copyImageMs;
  const encrypt = p.Encrypted === true || source.devices.some((d) => d.encrypted);
  // A key from another region names nothing here: a cross-region copy of an encrypted image takes the
  // destination's default unless it is given one of the destination's keys.
  const key = encrypt
    ? chooseKey(
        ctx.kms,
        p.KmsKeyId,
        sourceRegion === ctx.region.region ? source.devices.find((d) => d.kmsKeyId)?.kmsKeyId : undefined,
      )
    : undefined;
  const fails =
    (key !== undefined && !key.usable) || (ctx.scenario.copyFailsIn ?? []).includes(ctx.region.region);
  const imageTags = tagsFor(p.TagSpecification, 'image', ['image', 'snapshot']);
  if (p.CopyImageTags) {
    const copied = [...source.tags].filter(([k]) => !k.toLowerCase().startsWith('aws:') && !imageTags.has(k));
    addTags(
      imageTags,
      copied.map(([Key, Value]) => ({ Key, Value })),
    );
  }
  const snapshotTags = tagsFor(p.TagSpecification, 'snapshot', ['image', 'snapshot']);
  const devices: ImageDevice[] = source.devices.map((device) => {
    if (!device.snapshotId) return { ...device };
    const snapshotId = ctx.ids.next('snap');
    ctx.region.snapshots.set(snapshotId, {
      snapshotId,
      region: ctx.region.region,
      volumeId: COPIED_VOLUME_ID,
      volumeSize: device.volumeSize,
      description: `Copied for DestinationAmi ${imageId} from SourceAmi ${sourceImageId} for SourceSnapshot ${device.snapshotId}. Task created on ${new Date(ctx.now).toISOString()}.`,
      startTime: ctx.now,
      readyAt,
      // A copy's snapshot is not a bake's: the timeline families shape only CreateImage's.
      progress: LINEAR,
      outcome: fails ? 'error' : 'completed',
      tags: new Map(snapshotTags),
      ...(key ? { encrypted: true, kmsKeyId: key.id } : {}),
    });
    const { encrypted: _e, kmsKeyId: _k, ...rest } = device;
    return { ...rest, snapshotId, ...(key ? { encrypted: true, kmsKeyId: key.id } : {}) };
  });
  const copy: ImageRecord = {
    imageId,
    region: ctx.region.region,
    name,
    description:
      p.Description ??
      `[Copied ${sourceImageId} from ${sourceRegion}] ${source.description ?? source.name}`.slice(0, 255),
    ownerId: ctx.accountId,
    isPublic: false,
    architecture: source.architecture,
    distro: source.distro,
    rootDeviceName: source.rootDeviceName,
    bootMode: source.bootMode,
    devices,
    createdAt: ctx.now,
    readyAt,
    outcome: fails ? 'failed' : 'available',
    ...(fails ? { failureReason: COPY_FAILURE } : {}),
    tags: imageTags,
    sourceImageId,
    sourceImageRegion: sourceRegion,
  };
  ctx.region.images.set(imageId, copy);
  if (p.ClientToken) ctx.region.copyTokens.set(p.ClientToken, { fingerprint: fingerprint(tree), imageId });
  return { imageId };
};

function fingerprint(tree: QueryTree): string {
  const { ClientToken: _token, DryRun: _dry, ...rest } = tree;
  return JSON.stringify(rest);
}
