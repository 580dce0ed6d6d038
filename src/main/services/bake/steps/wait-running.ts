import { AppError } from '../../../../shared/result';
import type { BakeRun } from '../bake-run';
import { BakeFailure } from '../failure';
import type { InstanceView } from '../poller';
import { scriptWatch } from '../script-watch';
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

/** A builder that is terminating, terminated or no longer listed can never finish the bake. */
export function assertPresent(
  instanceId: string,
  view: InstanceView | 'missing',
): asserts view is InstanceView {
  if (view === 'missing' || view.state === 'shutting-down' || view.state === 'terminated')
    throw goneFailure(instanceId, view);
}

/**
 * Waits until the builder has left "pending". A fast script may already have it stopping: that counts.
 * Seeing "running" late costs nothing (EC2 boots it and the script starts regardless), so the builder's
 * schedule looks only a few times here — unless someone watches the console, where the wrapper's begin
 * marker shows the builder up before any look does.
 */
export async function waitRunning(run: BakeRun): Promise<string> {
  const instanceId = run.state.instanceId;
  if (!instanceId) throw new AppError('INTERNAL', 'wait-running ran before launch.');
  const watch = run.project.completion.mode === 'wrapper' ? scriptWatch(run) : undefined;
  const stop = new AbortController();
  const signal = AbortSignal.any([run.signal, stop.signal]);
  try {
    const state = await Promise.race([
      waitForInstance(
        run.region.poller,
        instanceId,
        run.scope(signal),
        (view) => {
          assertPresent(instanceId, view);
          return view.state === 'pending' ? undefined : view.state;
        },
        {
          schedule: run.builderSchedule,
          timeoutMs: RUNNING_TIMEOUT_MS,
          onTimeout: () =>
            new BakeFailure('TIMEOUT', `The builder ${instanceId} was still pending after 15 minutes.`),
        },
      ),
      ...(watch ? [watch.started.then(() => 'running: its init script has started')] : []),
    ]);
    run.state.scriptStartedAt = run.clock.now();
    return `${instanceId} is ${state}`;
  } catch (error) {
    await watch?.stop();
    throw error;
  } finally {
    stop.abort();
  }
}
