import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import { TAG_BAKE_ID } from '../../../protocol/builder-tags';
import type { BakeRunCore } from './bake-run';

/**
 * Everything a bake made carries its bake id as a tag from the moment it exists (TagSpecifications, not a
 * later CreateTags), so what a crash or a lost answer left unjournaled can still be found.
 */
const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'];

export async function findBakeInstances(
  run: BakeRunCore,
  signal: AbortSignal,
  attempts?: number,
): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await run.call(
      'DescribeInstances',
      (o) =>
        run.connection.clients.ec2.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: `tag:${TAG_BAKE_ID}`, Values: [run.id] },
              { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES },
            ],
            NextToken: token,
          }),
          o,
        ),
      { signal, ...(attempts ? { attempts } : {}) },
    );
    for (const r of out.Reservations ?? [])
      for (const i of r.Instances ?? []) if (i.InstanceId) ids.push(i.InstanceId);
    token = out.NextToken;
  } while (token);
  return ids;
}

export interface FoundImage {
  id: string;
  name?: string;
}

export async function findBakeImages(run: BakeRunCore, signal: AbortSignal): Promise<FoundImage[]> {
  const out = await run.call(
    'DescribeImages',
    (o) =>
      run.connection.clients.ec2.send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [{ Name: `tag:${TAG_BAKE_ID}`, Values: [run.id] }],
        }),
        o,
      ),
    { signal },
  );
  return (out.Images ?? []).flatMap((i) =>
    i.ImageId ? [{ id: i.ImageId, ...(i.Name ? { name: i.Name } : {}) }] : [],
  );
}

export async function findBakeSnapshots(run: BakeRunCore, signal: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await run.call(
      'DescribeSnapshots',
      (o) =>
        run.connection.clients.ec2.send(
          new DescribeSnapshotsCommand({
            OwnerIds: ['self'],
            Filters: [{ Name: `tag:${TAG_BAKE_ID}`, Values: [run.id] }],
            NextToken: token,
          }),
          o,
        ),
      { signal },
    );
    for (const s of out.Snapshots ?? []) if (s.SnapshotId) ids.push(s.SnapshotId);
    token = out.NextToken;
  } while (token);
  return ids;
}
