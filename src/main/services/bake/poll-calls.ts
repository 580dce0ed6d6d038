import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { TAG_BAKE_ID } from '../../../protocol/builder-tags';

export interface InstanceView {
  id: string;
  state: string;
  stateReasonCode?: string;
  stateReasonMessage?: string;
}

export interface ImageView {
  id: string;
  state: string;
  name?: string;
  stateReasonMessage?: string;
  snapshotIds: string[];
}

/** One EBS snapshot of a bake's image, as DescribeSnapshots reports it while the image is being made. */
export interface SnapshotView {
  id: string;
  state: string;
  /** Percent done, when EC2 says. */
  progress?: number;
}

/** One page of a batched Describe: what it found, by the key the poller watches, and the next token. */
export interface Page<T> {
  items: Map<string, T>;
  next: string | undefined;
}

export type Describe<T> = (
  ec2: EC2Client,
  keys: string[],
  token: string | undefined,
  signal: AbortSignal,
) => Promise<Page<T>>;

// Filters, not ids, so one unknown or not-yet-visible id cannot fail the whole batch.

export const describeInstances: Describe<InstanceView> = async (ec2, ids, token, signal) => {
  const out = await ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }], NextToken: token }),
    { abortSignal: signal },
  );
  const items = new Map<string, InstanceView>();
  for (const reservation of out.Reservations ?? []) {
    for (const i of reservation.Instances ?? []) {
      if (!i.InstanceId) continue;
      items.set(i.InstanceId, {
        id: i.InstanceId,
        state: i.State?.Name ?? 'unknown',
        ...(i.StateReason?.Code ? { stateReasonCode: i.StateReason.Code } : {}),
        ...(i.StateReason?.Message ? { stateReasonMessage: i.StateReason.Message } : {}),
      });
    }
  }
  return { items, next: out.NextToken };
};

export const describeImages: Describe<ImageView> = async (ec2, ids, token, signal) => {
  const out = await ec2.send(
    new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: ids }], NextToken: token }),
    { abortSignal: signal },
  );
  const items = new Map<string, ImageView>();
  for (const image of out.Images ?? []) {
    if (!image.ImageId) continue;
    items.set(image.ImageId, {
      id: image.ImageId,
      state: image.State ?? 'unknown',
      ...(image.Name ? { name: image.Name } : {}),
      ...(image.StateReason?.Message ? { stateReasonMessage: image.StateReason.Message } : {}),
      snapshotIds: (image.BlockDeviceMappings ?? []).flatMap((m) =>
        m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
      ),
    });
  }
  return { items, next: out.NextToken };
};

/**
 * The snapshots of each bake's image, found by the bake-id tag CreateImage puts on them (TagSpecifications):
 * no DescribeImages first to learn their ids, and one call for every bake in the region.
 */
export const describeSnapshots: Describe<SnapshotView[]> = async (ec2, bakeIds, token, signal) => {
  const out = await ec2.send(
    new DescribeSnapshotsCommand({
      OwnerIds: ['self'],
      Filters: [{ Name: `tag:${TAG_BAKE_ID}`, Values: bakeIds }],
      NextToken: token,
    }),
    { abortSignal: signal },
  );
  const items = new Map<string, SnapshotView[]>();
  for (const snapshot of out.Snapshots ?? []) {
    const bakeId = snapshot.Tags?.find((t) => t.Key === TAG_BAKE_ID)?.Value;
    if (!bakeId || !snapshot.SnapshotId) continue;
    const progress = Number.parseFloat(snapshot.Progress ?? '');
    const views = items.get(bakeId) ?? [];
    views.push({
      id: snapshot.SnapshotId,
      state: snapshot.State ?? 'unknown',
      ...(Number.isFinite(progress) ? { progress } : {}),
    });
    items.set(bakeId, views);
  }
  return { items, next: out.NextToken };
};
