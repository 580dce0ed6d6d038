import {
  CopyImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import type { RegionCopy } from '../../../shared/bake';
import { TAG_BAKE_ID } from '../../../protocol/builder-tags';
import { awsErrorCode } from '../bake/aws-call';
import { BakeFailure, isAbortError } from '../bake/failure';
import { ImageSchedule } from '../bake/image-schedule';
import { waitForImage } from '../bake/wait';
import { abortReason } from '../clock';
import type { DeliveryPlan } from './plan';
import type { RegionKeys } from './preflight';
import type { RegionHandle, RegionReach } from './reach';

/** A region's copy of a big image can take hours; beyond a day something is wrong on EC2's side. */
const COPY_TIMEOUT_MS = 24 * 3_600_000;
/** Right after a deregistration EC2 may still call a snapshot in use for a moment. */
const SNAPSHOT_DELETE_TRIES = 8;

/** A change in one region's copy, to be journaled (the bake's `copy` event) before anyone hears of it. */
export type CopyReport = Omit<RegionCopy, 'snapshotIds'> & { snapshotIds?: string[] };

export interface CopyJob {
  bakeId: string;
  /** The image in the home region, available. */
  imageId: string;
  imageName: string;
  description: string;
  /** The original's tags, image and snapshots alike: copies are tagged like it (bake id included). */
  tags: Tag[];
  plan: DeliveryPlan;
  keys: RegionKeys;
  reach: RegionReach;
  tickMs: number;
  /** How long the original took to become available: the copies' first look scales with it. */
  paceMs: number;
  /** Copies the bake journaled before (a resumed bake carries on with them). */
  known: readonly RegionCopy[];
  signal: AbortSignal;
  report(report: CopyReport): Promise<void>;
}

export interface CopyResult {
  available: RegionCopy[];
  /** Only with allowPartial: the regions that failed, their copies removed. */
  failed: { region: string; message: string }[];
}

/**
 * Copies the image to every other region at once and waits for each through that region's shared poller —
 * the same batched DescribeImages and DescribeSnapshots (the copy's snapshots carry the bake id) and the same
 * image schedule as the bake's own image, so many copies cost about as many calls as one. Each CopyImage has
 * a ClientToken of bake id and region: a retry, or a resumed bake, gets the copy the first call made.
 *
 * A copy that fails fails the bake (the others are abandoned here and removed by its cleanup), unless the
 * project allows a partial distribution: then the failed copy is removed and the rest carry on.
 */
export async function copyToRegions(job: CopyJob): Promise<CopyResult> {
  const stop = new AbortController();
  const signal = AbortSignal.any([job.signal, stop.signal]);
  const failed: CopyResult['failed'] = [];
  let failure: BakeFailure | undefined;
  const outcomes = await Promise.allSettled(
    job.plan.copies.map(async (region) => {
      try {
        return await copyOne(job, region, signal);
      } catch (error) {
        if (isAbortError(error) || job.signal.aborted || stop.signal.aborted) throw error;
        const message = error instanceof Error ? error.message : String(error);
        if (!job.plan.allowPartial) {
          const code = awsErrorCode(error);
          failure = new BakeFailure('AWS_ERROR', `Copy to ${region} failed: ${message}`, {
            details: { region, ...(code ? { awsCode: code } : {}) },
          });
          // The other copies are abandoned: the bake's cleanup removes them, pending or not.
          stop.abort(failure);
          throw failure;
        }
        failed.push({ region, message });
        await removeFailedCopy(job, region, message);
        return undefined;
      }
    }),
  );
  if (job.signal.aborted) throw abortReason(job.signal);
  if (failure) throw failure;
  const other = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (other) throw other.reason;
  const available = outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value ? [o.value] : []));
  return { available, failed };
}

async function copyOne(job: CopyJob, region: string, signal: AbortSignal): Promise<RegionCopy> {
  const done = job.known.find((c) => c.region === region && c.state === 'available' && c.imageId);
  if (done) return done;
  const handle = await job.reach.region(region);
  const known = job.known.find((c) => c.region === region && c.imageId);
  // Journaled before it is sent: if the answer is lost in a crash, cleanup and resume know to look for it.
  if (!known) await job.report({ region, state: 'copying' });
  const startedAt = job.reach.clock.now();
  const key = job.keys[region];
  const out = await handle.call(
    'CopyImage',
    (o) =>
      handle.clients.ec2.send(
        new CopyImageCommand({
          SourceRegion: job.plan.home,
          SourceImageId: job.imageId,
          Name: job.imageName,
          Description: job.description,
          ClientToken: copyToken(job.bakeId, region),
          ...(key ? { Encrypted: true, KmsKeyId: key.arn } : {}),
          TagSpecifications: [
            { ResourceType: 'image', Tags: job.tags },
            { ResourceType: 'snapshot', Tags: job.tags },
          ],
        }),
        o,
      ),
    signal,
  );
  const imageId = out.ImageId;
  if (!imageId) throw new BakeFailure('AWS_ERROR', `CopyImage to ${region} answered without an image id.`);
  if (known?.imageId !== imageId) await job.report({ region, imageId, state: 'copying', progress: 0 });
  const snapshotIds = await waitForCopy(job, handle, imageId, startedAt, signal);
  const copy: RegionCopy = { region, imageId, state: 'available', progress: 100, snapshotIds };
  await job.report(copy);
  return copy;
}

/** At most 64 ASCII characters, unique per bake and region. */
export function copyToken(bakeId: string, region: string): string {
  return `${bakeId}-${region}`;
}

async function waitForCopy(
  job: CopyJob,
  handle: RegionHandle,
  imageId: string,
  startedAt: number,
  signal: AbortSignal,
): Promise<string[]> {
  const clock = job.reach.clock;
  const schedule = new ImageSchedule(job.tickMs, startedAt, job.paceMs);
  const scope = handle.scope(signal);
  let shown = 0;
  const unwatch = handle.services.poller.watchSnapshots(job.bakeId, {
    onCall: scope.onCall,
    nextLook: () => schedule.readingLook(),
    onObservation: (observation) => {
      schedule.onSnapshots(clock.now(), observation);
      if (observation.kind !== 'found' || observation.value.length === 0) return;
      const progress = Math.min(
        ...observation.value.map((s) => (s.state === 'completed' ? 100 : (s.progress ?? 0))),
      );
      // Readings are few (the schedule aims at the end), so each new percentage is worth a journal line.
      if (progress > shown && progress < 100) {
        shown = progress;
        job.report({ region: handle.region, imageId, state: 'copying', progress }).catch(() => undefined);
      }
    },
  });
  try {
    return await waitForImage(
      handle.services.poller,
      imageId,
      scope,
      (view) => {
        if (view === 'missing')
          throw new BakeFailure('AWS_ERROR', `the copy ${imageId} disappeared while it was being made.`);
        if (view.state === 'available') return view.snapshotIds;
        if (view.state === 'pending') return undefined;
        throw new BakeFailure(
          'AWS_ERROR',
          `${imageId} is ${view.state}${view.stateReasonMessage ? ` (${view.stateReasonMessage})` : ''}.`,
        );
      },
      {
        schedule: {
          nextLook: () => schedule.imageLook(),
          observed: (now, observation) => schedule.onImage(now, observation),
        },
        timeoutMs: COPY_TIMEOUT_MS,
        onTimeout: () => new BakeFailure('TIMEOUT', `the copy ${imageId} was still pending after a day.`),
      },
    );
  } finally {
    unwatch();
  }
}

/** A partial distribution keeps nothing of a failed copy: its image and snapshots go, journaled. */
async function removeFailedCopy(job: CopyJob, region: string, message: string): Promise<void> {
  const handle = await job.reach.region(region);
  const found = await findCopies(handle, job.bakeId, job.signal);
  for (const image of found) {
    await job.report({ region, imageId: image.id, state: 'failed', message });
    await removeCopy(handle, image, job.signal);
  }
  await job.report({ region, state: found.length > 0 ? 'removed' : 'failed', message });
}

export interface FoundCopy {
  id: string;
  snapshotIds: string[];
}

/** This bake's images in a region (its copies), found by the bake-id tag: journaled or not. */
export async function findCopies(
  handle: RegionHandle,
  bakeId: string,
  signal: AbortSignal,
): Promise<FoundCopy[]> {
  const out = await handle.call(
    'DescribeImages',
    (o) =>
      handle.clients.ec2.send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [{ Name: `tag:${TAG_BAKE_ID}`, Values: [bakeId] }],
          IncludeDisabled: true,
        }),
        o,
      ),
    signal,
  );
  return (out.Images ?? []).flatMap((i) =>
    i.ImageId
      ? [
          {
            id: i.ImageId,
            snapshotIds: (i.BlockDeviceMappings ?? []).flatMap((m) =>
              m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
            ),
          },
        ]
      : [],
  );
}

/**
 * Deregisters a copy — which also stops one still being made, as EC2 documents — and deletes its snapshots.
 * Returns what it did, in words.
 */
export async function removeCopy(
  handle: RegionHandle,
  image: FoundCopy,
  signal: AbortSignal,
): Promise<string[]> {
  const done: string[] = [];
  try {
    await handle.call(
      'DeregisterImage',
      (o) => handle.clients.ec2.send(new DeregisterImageCommand({ ImageId: image.id }), o),
      signal,
    );
    done.push(`deregistered ${image.id} in ${handle.region}`);
  } catch (error) {
    if (awsErrorCode(error) !== 'InvalidAMIID.NotFound' && awsErrorCode(error) !== 'InvalidAMIID.Unavailable')
      throw error;
  }
  for (const snapshotId of image.snapshotIds) {
    if (await deleteSnapshot(handle, snapshotId, signal))
      done.push(`deleted ${snapshotId} in ${handle.region}`);
  }
  return done;
}

/** Deletes a snapshot, waiting out the moment EC2 still counts it in use by a just-deregistered image. */
export async function deleteSnapshot(
  handle: RegionHandle,
  snapshotId: string,
  signal: AbortSignal,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await handle.call(
        'DeleteSnapshot',
        (o) => handle.clients.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }), o),
        signal,
      );
      return true;
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'InvalidSnapshot.NotFound') return false;
      if (code !== 'InvalidSnapshot.InUse' || attempt >= SNAPSHOT_DELETE_TRIES) throw error;
      await handle.scope(signal).clock.sleep(Math.min(30_000, 1000 * 2 ** attempt), signal);
    }
  }
}
