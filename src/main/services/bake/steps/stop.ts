import { StopInstancesCommand } from '@aws-sdk/client-ec2';
import { AppError } from '../../../../shared/result';
import type { BakeRun } from '../bake-run';
import { BakeFailure } from '../failure';
import { waitForInstance } from '../wait';
import { assertPresent } from './wait-running';

const STOP_TIMEOUT_MS = 20 * 60_000;

/**
 * Makes sure the builder is stopped before CreateImage: an image of a stopped machine has a consistent file
 * system without the reboot CreateImage would otherwise do. After the wrapper it is already on its way down;
 * in "wait" mode the engine stops it here.
 */
export async function stopBuilder(run: BakeRun): Promise<string> {
  const instanceId = run.state.instanceId;
  if (!instanceId) throw new AppError('INTERNAL', 'stop ran before launch.');
  const ec2 = run.connection.clients.ec2;
  let requested = false;
  if (run.project.completion.mode === 'wait') {
    await run.call('StopInstances', (o) =>
      ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }), o),
    );
    run.builderSchedule.expectStop(run.clock.now());
    requested = true;
  }
  await waitStopped(run, instanceId);
  return requested ? `stopped ${instanceId}` : `${instanceId} stopped by itself`;
}

/** Until the builder is "stopped" — at once when the last look already saw it so. */
export async function waitStopped(run: BakeRun, instanceId: string): Promise<void> {
  if (run.builderSchedule.lastSeen?.state === 'stopped') return;
  await waitForInstance(
    run.region.poller,
    instanceId,
    run.scope(),
    (view) => {
      assertPresent(instanceId, view);
      return view.state === 'stopped' ? true : undefined;
    },
    {
      schedule: run.builderSchedule,
      timeoutMs: STOP_TIMEOUT_MS,
      onTimeout: () =>
        new BakeFailure('TIMEOUT', `The builder ${instanceId} did not stop within 20 minutes.`),
    },
  );
}
