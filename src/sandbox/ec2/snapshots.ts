import { z } from 'zod';
import { SandboxError } from '../wire/errors';
import { missing, parseParams } from '../wire/query';
import { isoTime, type XmlValue } from '../wire/xml';
import type { Ec2Context, Ec2Handler } from './context';
import { checkIdFormat, lookupAll, notFound } from './errors';
import { applyFilters, type FilterFields } from './filters';
import { stateAt } from './lifecycle';
import { paginate } from './pagination';
import { FilterListSchema, IdListSchema, PagingSchema } from './params';
import type { SnapshotRecord, VolumeRecord } from './records';
import type { RegionState } from './region-state';
import { tagSet } from './tags';
import { reportedProgress } from '../timing/progress';
import { releaseVmSnapshot } from './vm-images';

/** Pending until `readyAt`, reporting whole percents along its progress curve; then completed at 100 %. */
export function snapshotState(snapshot: SnapshotRecord, now: number): { state: string; progress: number } {
  if (now >= snapshot.readyAt) return { state: snapshot.outcome, progress: 100 };
  const span = snapshot.readyAt - snapshot.startTime;
  // A VM disk copy has no planned end (readyAt is infinite until it is done).
  const progress =
    span > 0 && Number.isFinite(span)
      ? reportedProgress(snapshot.progress, (now - snapshot.startTime) / span)
      : 0;
  return { state: 'pending', progress };
}

const snapshotFields = (now: number): FilterFields<SnapshotRecord> => ({
  'snapshot-id': (s) => s.snapshotId,
  'volume-id': (s) => s.volumeId,
  'volume-size': (s) => s.volumeSize,
  status: (s) => snapshotState(s, now).state,
  description: (s) => s.description,
  'start-time': (s) => isoTime(s.startTime),
  encrypted: (s) => s.encrypted === true,
  'kms-key-id': (s) => s.kmsKeyId,
});

const DescribeSnapshotsSchema = z.object({
  SnapshotId: IdListSchema,
  Owner: IdListSchema,
  RestorableBy: IdListSchema,
  Filter: FilterListSchema,
  ...PagingSchema,
});

export const describeSnapshots: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DescribeSnapshotsSchema, tree);
  if (p.SnapshotId?.length && p.MaxResults !== undefined) {
    throw new SandboxError(
      'InvalidParameterCombination',
      'The parameter snapshotSet cannot be used with the parameter maxResults',
    );
  }
  const candidates = p.SnapshotId?.length
    ? lookupAll('snapshot', p.SnapshotId, (id) => ctx.region.snapshots.get(id))
    : [...ctx.region.snapshots.values()];
  // Every snapshot the sandbox holds belongs to the caller: `self` or the account id keep them, other owners none.
  const owners = p.Owner ?? [];
  const owned =
    owners.length === 0 || owners.some((o) => o === 'self' || o === ctx.accountId) ? candidates : [];
  const matching = applyFilters(
    owned,
    p.Filter,
    { ...snapshotFields(ctx.now), 'owner-id': () => ctx.accountId },
    (s) => s.tags,
  );
  const { page, nextToken } = paginate(matching, 'DescribeSnapshots', p.MaxResults, p.NextToken, {
    min: 5,
    max: 1000,
  });
  return { snapshotSet: page.map((s) => snapshotXml(ctx, s)), nextToken };
};

function snapshotXml(ctx: Ec2Context, snapshot: SnapshotRecord): XmlValue {
  const { state, progress } = snapshotState(snapshot, ctx.now);
  return {
    snapshotId: snapshot.snapshotId,
    volumeId: snapshot.volumeId,
    status: state,
    statusMessage: state === 'error' ? 'The snapshot could not be completed' : undefined,
    startTime: isoTime(snapshot.startTime),
    completionTime: state === 'pending' ? undefined : isoTime(snapshot.readyAt),
    progress: `${progress}%`,
    ownerId: ctx.accountId,
    description: snapshot.description,
    volumeSize: snapshot.volumeSize,
    encrypted: snapshot.encrypted === true,
    kmsKeyId: snapshot.kmsKeyId,
    storageTier: 'standard',
    tagSet: tagSet(snapshot.tags),
  };
}

const DeleteSnapshotSchema = z.object({ SnapshotId: z.string().optional() });

export const deleteSnapshot: Ec2Handler = (ctx, tree) => {
  const snapshotId = parseParams(DeleteSnapshotSchema, tree).SnapshotId ?? missing('SnapshotId');
  checkIdFormat('snapshot', snapshotId);
  if (!ctx.region.snapshots.has(snapshotId)) throw notFound('snapshot', [snapshotId]);
  const user = [...ctx.region.images.values()].find((i) =>
    i.devices.some((d) => d.snapshotId === snapshotId),
  );
  if (user) {
    throw new SandboxError(
      'InvalidSnapshot.InUse',
      `The snapshot ${snapshotId} is currently in use by ${user.imageId}`,
    );
  }
  releaseVmSnapshot(ctx.vm, ctx.region.snapshots.get(snapshotId)!);
  ctx.region.snapshots.delete(snapshotId);
  return { return: true };
};

/** A volume's status follows its instance: in use while attached, deleted or available once it is terminated. */
export function volumeStatus(
  region: RegionState,
  now: number,
  volume: VolumeRecord,
): { status: string; attachment?: string } {
  const instance = region.instances.get(volume.instanceId);
  const state = instance ? stateAt(instance, now) : 'terminated';
  if (state === 'terminated') return { status: volume.deleteOnTermination ? 'deleted' : 'available' };
  if (state === 'shutting-down') return { status: 'in-use', attachment: 'detaching' };
  return { status: 'in-use', attachment: 'attached' };
}

const volumeFields = (ctx: Ec2Context): FilterFields<VolumeRecord> => ({
  'volume-id': (v) => v.volumeId,
  status: (v) => volumeStatus(ctx.region, ctx.now, v).status,
  size: (v) => v.size,
  'volume-type': (v) => v.volumeType,
  'snapshot-id': (v) => v.snapshotId,
  'availability-zone': (v) => v.zoneName,
  'attachment.instance-id': (v) =>
    volumeStatus(ctx.region, ctx.now, v).attachment ? v.instanceId : undefined,
  'attachment.device': (v) => (volumeStatus(ctx.region, ctx.now, v).attachment ? v.deviceName : undefined),
  'attachment.status': (v) => volumeStatus(ctx.region, ctx.now, v).attachment,
  'attachment.delete-on-termination': (v) => v.deleteOnTermination,
  encrypted: (v) => v.encrypted === true,
});

const DescribeVolumesSchema = z.object({ VolumeId: IdListSchema, Filter: FilterListSchema, ...PagingSchema });

export const describeVolumes: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DescribeVolumesSchema, tree);
  for (const [id, volume] of ctx.region.volumes) {
    if (volumeStatus(ctx.region, ctx.now, volume).status === 'deleted') ctx.region.volumes.delete(id);
  }
  const candidates = p.VolumeId?.length
    ? lookupAll('volume', p.VolumeId, (id) => ctx.region.volumes.get(id))
    : [...ctx.region.volumes.values()];
  const matching = applyFilters(candidates, p.Filter, volumeFields(ctx), (v) => v.tags);
  const { page, nextToken } = paginate(matching, 'DescribeVolumes', p.MaxResults, p.NextToken, {
    min: 5,
    max: 500,
  });
  return {
    volumeSet: page.map((v) => {
      const { status, attachment } = volumeStatus(ctx.region, ctx.now, v);
      return {
        volumeId: v.volumeId,
        size: v.size,
        snapshotId: v.snapshotId ?? '',
        availabilityZone: v.zoneName,
        availabilityZoneId: v.zoneId,
        status,
        createTime: isoTime(v.createTime),
        attachmentSet: attachment
          ? [
              {
                volumeId: v.volumeId,
                instanceId: v.instanceId,
                device: v.deviceName,
                status: attachment,
                attachTime: isoTime(v.createTime),
                deleteOnTermination: v.deleteOnTermination,
              },
            ]
          : [],
        volumeType: v.volumeType,
        iops: v.iops ?? (v.volumeType === 'gp3' ? 3000 : undefined),
        throughput: v.throughput ?? (v.volumeType === 'gp3' ? 125 : undefined),
        encrypted: v.encrypted === true,
        kmsKeyId: v.kmsKeyId,
        multiAttachEnabled: false,
        tagSet: tagSet(v.tags),
      };
    }),
    nextToken,
  };
};
