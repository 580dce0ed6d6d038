import { AppError } from '../../../../shared/result';
import type { BakeRun } from '../bake-run';
import { BakeFailure } from '../failure';
import type { InstanceView } from '../poller';
import { waitForInstance } from '../wait';

const RUNNING_TIMEOUT_MS = 15 * 60_000;

/** Why an instance that should be working is not: terminated, or stopped by someone or something else. */
export function describeEnd(view: InstanceView): string {
  const reason = view.stateReasonMessage ?? view.stateReasonCode;
  return reason ? `${view.state} (${reason})` : view.state;
}

export function goneFailure(instanceId: string, view: InstanceView | 'missing'): BakeFailure {
  if (view === 'missing') {
    return new BakeFailure('AWS_ERROR', `The builder ${instanceId} disappeared: EC2 no longer lists it.`);
  }
  return new BakeFailure(
    'AWS_ERROR',
    `The builder ${instanceId} was ${describeEnd(view)} before the script finished.`,
    {
      details: view.stateReasonCode ? { stateReason: view.stateReasonCode } : {},
    },
  );
}

/** Waits until the builder has left "pending". A fast script may already have it stopping: that counts. */
export async function waitRunning(run: BakeRun): Promise<string> {
  const instanceId = run.state.instanceId;
  if (!instanceId) throw new AppError('INTERNAL', 'wait-running ran before launch.');
  const state = await waitForInstance(
    run.region.poller,
    instanceId,
    run.scope(),
    (view) => {
      if (view === 'missing' || view.state === 'shutting-down' || view.state === 'terminated')
        throw goneFailure(instanceId, view);
      return view.state === 'pending' ? undefined : view.state;
    },
    {
      timeoutMs: RUNNING_TIMEOUT_MS,
      onTimeout: () =>
        new BakeFailure('TIMEOUT', `The builder ${instanceId} was still pending after 15 minutes.`),
    },
  );
  run.state.scriptStartedAt = run.clock.now();
  return `${instanceId} is ${state}`;
}
