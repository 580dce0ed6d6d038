import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { awsErrorCode } from './aws-call';
import type { BakeRunCore } from './bake-run';
import { cleanUpCopies, namingParameter } from './cleanup-delivery';
import { findBakeImages, findBakeInstances, findBakeSnapshots } from './find-resources';
import type { ImageView } from './poller';
import { BackoffSchedule } from './schedules';
import { waitForImage } from './wait';

/** Looking again for a resource whose creation call never answered: EC2 lists new things within seconds. */
const UNANSWERED_LOOKS_MS = [0, 5_000, 15_000];
const IMAGE_SETTLE_TIMEOUT_MS = 2 * 3_600_000;
/** An image to remove that is still pending: looked at less and less often, at least every 15 ticks. */
const SETTLE_LOOK_CAP_TICKS = 15;
const SNAPSHOT_DELETE_TRIES = 8;

export interface CleanupResult {
  /** Problems, in words; empty when everything the bake made is gone. */
  problems: string[];
}

/**
 * Removes what a failed or cancelled bake made: terminates the builder, deregisters its image (after it has
 * left "pending", so its snapshots exist) and deletes the snapshots. Works from the journaled ids and, for
 * calls whose answer was lost, from the bake-id tag. Runs on its own signal: the cancel that got us here
 * must not cancel the cleanup.
 */
export async function cleanUp(run: BakeRunCore, signal: AbortSignal): Promise<CleanupResult> {
  const problems: string[] = [];
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const { state } = run;

  const instances = new Set<string>(state.instanceId ? [state.instanceId] : []);
  if (state.launchSent && !state.instanceId) {
    await attempt('looking for the builder', async () => {
      for (const id of await lookAgain(run, signal, !state.launchAnswered, () =>
        findBakeInstances(run, signal),
      ))
        instances.add(id);
    });
  }
  for (const id of instances) {
    await attempt(`terminating ${id}`, async () => {
      await run.call(
        'TerminateInstances',
        (o) => run.connection.clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }), o),
        {
          signal,
        },
      );
      await run.emit({ type: 'cleanup', action: `terminated ${id}` });
    });
  }

  const images = new Set<string>(state.imageId ? [state.imageId] : []);
  if (state.createImageSent) {
    await attempt('looking for the image', async () => {
      const lost = !state.imageId && !state.createImageAnswered;
      const found = await lookAgain(run, signal, lost, async () =>
        (await findBakeImages(run, signal)).map((image) => image.id),
      );
      for (const id of found) images.add(id);
    });
  }
  const snapshots = new Set<string>(state.snapshotIds);
  let kept = false;
  for (const id of images) {
    await attempt(`deregistering ${id}`, async () => {
      if ((run.record.published ?? []).length > 0) {
        const name = await namingParameter(run, await run.reach.region(run.connection.region), id, signal);
        if (name) {
          kept = true;
          throw new Error(`kept ${id}: ${name} names it`);
        }
      }
      const view = await settledImage(run, id, signal);
      for (const snap of view?.snapshotIds ?? []) snapshots.add(snap);
      if (view) {
        await run.call(
          'DeregisterImage',
          (o) => run.connection.clients.ec2.send(new DeregisterImageCommand({ ImageId: id }), o),
          { signal },
        );
        await run.emit({ type: 'cleanup', action: `deregistered ${id}` });
      }
    });
  }
  if (state.createImageSent && !kept) {
    await attempt('looking for snapshots', async () => {
      for (const id of await findBakeSnapshots(run, signal)) snapshots.add(id);
    });
  }
  if (!kept)
    for (const id of snapshots) await attempt(`deleting ${id}`, () => deleteSnapshot(run, id, signal));
  await cleanUpCopies(run, signal, attempt);
  return { problems };
}

/** Looks for what a call may have made; when its answer was lost, looks again while EC2 catches up. */
export async function lookAgain<T>(
  run: BakeRunCore,
  signal: AbortSignal,
  lost: boolean,
  find: () => Promise<T[]>,
): Promise<T[]> {
  let last = 0;
  for (const at of lost ? UNANSWERED_LOOKS_MS : [0]) {
    await run.clock.sleep(at - last, signal);
    last = at;
    const found = await find();
    if (found.length > 0) return found;
  }
  return [];
}

/** Waits for the image to leave "pending"; undefined when it no longer exists. */
async function settledImage(
  run: BakeRunCore,
  imageId: string,
  signal: AbortSignal,
): Promise<ImageView | undefined> {
  const seen = await waitForImage(
    run.region.poller,
    imageId,
    run.scope(signal),
    (view) => (view === 'missing' ? 'missing' : view.state === 'pending' ? undefined : view),
    {
      schedule: new BackoffSchedule(
        run.env.pollIntervalMs,
        run.clock.now(),
        SETTLE_LOOK_CAP_TICKS * run.env.pollIntervalMs,
      ),
      timeoutMs: IMAGE_SETTLE_TIMEOUT_MS,
      missingGraceMs: 10_000,
      onTimeout: () => new Error(`${imageId} stayed pending`),
    },
  );
  return seen === 'missing' || seen.state === 'deregistered' ? undefined : seen;
}

/** Right after a deregistration EC2 may still call the snapshot in use for a moment: try again. */
async function deleteSnapshot(run: BakeRunCore, snapshotId: string, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run.call(
        'DeleteSnapshot',
        (o) => run.connection.clients.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }), o),
        {
          signal,
        },
      );
      await run.emit({ type: 'cleanup', action: `deleted ${snapshotId}` });
      return;
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'InvalidSnapshot.NotFound') return;
      if (code !== 'InvalidSnapshot.InUse' || attempt >= SNAPSHOT_DELETE_TRIES) throw error;
      await run.clock.sleep(Math.min(30_000, 1000 * 2 ** attempt), signal);
    }
  }
}
