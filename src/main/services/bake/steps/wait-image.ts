import { AppError } from '../../../../shared/result';
import type { BakeRun } from '../bake-run';
import { BakeFailure } from '../failure';
import { ImageSchedule } from '../image-schedule';
import { waitForImage } from '../wait';

/** Large volumes take a while to snapshot; beyond this something is wrong on EC2's side. */
const IMAGE_TIMEOUT_MS = 4 * 3_600_000;

/**
 * Waits for the image to become available; `failed` is an error carrying EC2's StateReason. Its snapshots'
 * progress (read in the region's batched DescribeSnapshots) tells when to look at the image itself.
 */
export async function waitImage(run: BakeRun): Promise<string> {
  const imageId = run.state.imageId;
  if (!imageId) throw new AppError('INTERNAL', 'wait-image ran before create-image.');
  const startedAt = run.state.imageStartedAt ?? run.clock.now();
  const schedule = new ImageSchedule(
    run.env.pollIntervalMs,
    startedAt,
    startedAt - (run.state.launchedAt ?? startedAt),
  );
  const scope = run.scope();
  const unwatch = run.region.poller.watchSnapshots(run.id, {
    onCall: scope.onCall,
    nextLook: () => schedule.readingLook(),
    onObservation: (observation) => schedule.onSnapshots(run.clock.now(), observation),
  });
  let snapshotIds: string[];
  try {
    snapshotIds = await waitForImage(
      run.region.poller,
      imageId,
      scope,
      (view) => {
        if (view === 'missing')
          throw new BakeFailure('AWS_ERROR', `The image ${imageId} disappeared while it was being created.`);
        if (view.state === 'available') return view.snapshotIds;
        if (view.state === 'pending') return undefined;
        throw new BakeFailure(
          'AWS_ERROR',
          `EC2 could not create the image ${imageId}: it is ${view.state}${view.stateReasonMessage ? ` (${view.stateReasonMessage})` : ''}.`,
        );
      },
      {
        schedule: {
          nextLook: () => schedule.imageLook(),
          observed: (now, observation) => schedule.onImage(now, observation),
        },
        timeoutMs: IMAGE_TIMEOUT_MS,
        onTimeout: () => new BakeFailure('TIMEOUT', `The image ${imageId} was still pending after 4 hours.`),
      },
    );
  } finally {
    unwatch();
  }
  for (const id of snapshotIds) {
    if (!run.state.snapshotIds.includes(id)) run.state.snapshotIds.push(id);
  }
  if (snapshotIds.length > 0)
    await run.emit(
      ...snapshotIds.map((id) => ({ type: 'resource' as const, kind: 'snapshot' as const, id })),
    );
  return `${imageId} is available (${snapshotIds.length} snapshot${snapshotIds.length === 1 ? '' : 's'})`;
}
