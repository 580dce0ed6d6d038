import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { TAG_BAKE_ID } from '../../../protocol/builder-tags';
import { deleteSnapshot, findCopies, removeCopy } from '../delivery/copy';
import type { RegionHandle } from '../delivery/reach';
import { awsErrorCode } from './aws-call';
import type { BakeRunCore } from './bake-run';

type Attempt = (what: string, work: () => Promise<void>) => Promise<void>;

/**
 * The delivery half of a failed bake's cleanup: every copy in another region — journaled, or found by its
 * bake-id tag when CopyImage's answer was lost — is deregistered (which also stops one still being copied)
 * and its snapshots deleted. An image that a parameter this bake published still names is kept and said so:
 * a launch template resolving that parameter must never meet a deleted image.
 */
export async function cleanUpCopies(run: BakeRunCore, signal: AbortSignal, attempt: Attempt): Promise<void> {
  const regions = [...new Set((run.record.copies ?? []).map((c) => c.region))];
  for (const region of regions) {
    await attempt(`removing the copy in ${region}`, async () => {
      const handle = await run.reach.region(region);
      const journaled = (run.record.copies ?? []).filter((c) => c.region === region && c.imageId);
      const found = await findCopies(handle, run.id, signal);
      for (const c of journaled)
        if (!found.some((f) => f.id === c.imageId))
          found.push({ id: c.imageId!, snapshotIds: c.snapshotIds });
      for (const image of found) {
        // Thrown, so its snapshots below are left with it.
        const name = await namingParameter(run, handle, image.id, signal);
        if (name) throw new Error(`kept ${image.id}: ${name} in ${region} names it`);
        for (const action of await removeCopy(handle, image, signal))
          await run.emit({ type: 'cleanup', action });
        await run.emit({ type: 'copy', region, imageId: image.id, state: 'removed' });
      }
      // Snapshots of a copy that was still being made may not be listed on its image yet.
      for (const snapshotId of await bakeSnapshots(handle, run.id, signal)) {
        if (await deleteSnapshot(handle, snapshotId, signal))
          await run.emit({ type: 'cleanup', action: `deleted ${snapshotId} in ${region}` });
      }
    });
  }
}

/** The published parameter that names `imageId` in the handle's region right now, if any. */
export async function namingParameter(
  run: BakeRunCore,
  handle: RegionHandle,
  imageId: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const entry = (run.record.published ?? []).find((p) => p.region === handle.region);
  if (!entry) return undefined;
  try {
    const out = await handle.call(
      'GetParameter',
      (o) => handle.clients.ssm.send(new GetParameterCommand({ Name: entry.name }), o),
      signal,
    );
    return out.Parameter?.Value === imageId ? entry.name : undefined;
  } catch (error) {
    if (awsErrorCode(error) === 'ParameterNotFound') return undefined;
    throw error;
  }
}

async function bakeSnapshots(handle: RegionHandle, bakeId: string, signal: AbortSignal): Promise<string[]> {
  const out = await handle.call(
    'DescribeSnapshots',
    (o) =>
      handle.clients.ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: `tag:${TAG_BAKE_ID}`, Values: [bakeId] }],
        }),
        o,
      ),
    signal,
  );
  return (out.Snapshots ?? []).flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
}
