import { AppError } from '../../../../shared/result';
import { parseMarker } from '../../protocol/user-data';
import type { BakeRun } from '../bake-run';
import { fetchConsole, streamConsole } from '../console-stream';
import { BakeFailure } from '../failure';
import type { InstanceView } from '../poller';
import { waitForInstance } from '../wait';
import { describeEnd, goneFailure } from './wait-running';

const SELF_SHUTDOWN = 'Client.InstanceInitiatedShutdown';
const RESUMED_LOOKS = 3;
const USER_SHUTDOWN = 'Client.UserInitiatedShutdown';

interface ScriptProgress {
  began: boolean;
  exitCode: number | undefined;
}

/**
 * Waits until the init script has really finished. The wrapper reports on the serial console and powers the
 * machine off only after success, so: stopped by itself = success; a failure marker = failed (exit code and
 * console tail); stopped by someone else or terminated = failed, not imaged; nothing within the timeout =
 * TIMEOUT. The console is streamed meanwhile; the instance state comes from the shared poller.
 */
export async function runScript(run: BakeRun): Promise<string> {
  const completion = run.project.completion;
  const instanceId = run.state.instanceId;
  if (!instanceId) throw new AppError('INTERNAL', 'run-script ran before launch.');
  if (completion.mode === 'wait') return waitFixedTime(run, instanceId, completion.seconds);

  const stop = new AbortController();
  const signal = AbortSignal.any([run.signal, stop.signal]);
  const progress: ScriptProgress = { began: false, exitCode: undefined };
  const nonce = run.state.nonce;
  let failScript: (failure: BakeFailure) => void = () => undefined;
  const scriptFailed = new Promise<never>((_, reject) => (failScript = reject));
  const onLines = (lines: string[]) => {
    for (const line of lines) {
      const marker = parseMarker(line, nonce);
      if (marker?.kind === 'begin') progress.began = true;
      if (marker?.kind !== 'done') continue;
      progress.exitCode = marker.exitCode;
      if (marker.exitCode !== 0) {
        failScript(
          new BakeFailure('SCRIPT_FAILED', `The init script failed with exit code ${marker.exitCode}.`, {
            exitCode: marker.exitCode,
            consoleTail: run.consoleTail.tail(),
          }),
        );
      }
    }
  };
  const consoleDone = streamConsole(run, signal, onLines).catch(() => undefined);
  // A bake resumed after a restart counts from when the script really started — but however late it comes
  // back, it looks at the builder a few times first: the script may well have finished while no one watched.
  const timeoutMs = Math.max(
    RESUMED_LOOKS * run.env.pollIntervalMs,
    completion.timeoutMinutes * 60_000 - elapsedMs(run),
  );
  try {
    await Promise.race([
      scriptFailed,
      waitForInstance(
        run.region.poller,
        instanceId,
        run.scope(signal),
        (view) => decide(instanceId, view, progress),
        {
          timeoutMs,
          onTimeout: () =>
            new BakeFailure(
              'TIMEOUT',
              `The init script did not finish within ${completion.timeoutMinutes} minutes` +
                (progress.began ? '.' : ' (it never reported starting: is cloud-init on this image?).'),
              { consoleTail: run.consoleTail.tail() },
            ),
        },
      ),
    ]);
  } finally {
    stop.abort();
    await consoleDone;
  }
  // The done marker may have been printed after the last fetch: one more look, so the log shows how it ended.
  if (progress.exitCode === undefined && !run.signal.aborted) {
    await fetchConsole(run, { signal: run.signal, latest: { value: true } }, onLines);
  }
  return progress.exitCode === 0
    ? 'the script exited 0 and the builder powered itself off'
    : 'the builder powered itself off';
}

/** Time since the builder came up (and the script started), also across a restart of Quadraxis. */
function elapsedMs(run: BakeRun): number {
  return run.clock.now() - (run.state.scriptStartedAt ?? run.clock.now());
}

function decide(
  instanceId: string,
  view: InstanceView | 'missing',
  progress: ScriptProgress,
): true | undefined {
  if (view === 'missing' || view.state === 'shutting-down' || view.state === 'terminated')
    throw goneFailure(instanceId, view);
  if (view.state !== 'stopping' && view.state !== 'stopped') return undefined;
  if (view.stateReasonCode === SELF_SHUTDOWN) return true;
  if (view.stateReasonCode === USER_SHUTDOWN) {
    throw new BakeFailure(
      'AWS_ERROR',
      `Someone else stopped the builder ${instanceId} before the script finished; it was not imaged.`,
      { details: { stateReason: USER_SHUTDOWN } },
    );
  }
  if (view.stateReasonCode) {
    throw new BakeFailure(
      'AWS_ERROR',
      `The builder ${instanceId} was ${describeEnd(view)}; it was not imaged.`,
    );
  }
  // Stopping without a reason yet: wait for "stopped" and its reason; a stop with no reason at all counts
  // as the script's only if the wrapper already reported success.
  if (view.state === 'stopping') return undefined;
  if (progress.exitCode === 0) return true;
  throw new BakeFailure(
    'AWS_ERROR',
    `The builder ${instanceId} stopped without the script reporting success.`,
  );
}

/** Completion mode "wait": a fixed time after running, while still noticing a builder that goes away. */
async function waitFixedTime(run: BakeRun, instanceId: string, seconds: number): Promise<string> {
  const stop = new AbortController();
  const signal = AbortSignal.any([run.signal, stop.signal]);
  const watch = waitForInstance(run.region.poller, instanceId, run.scope(signal), (view) => {
    if (view === 'missing' || view.state === 'shutting-down' || view.state === 'terminated')
      throw goneFailure(instanceId, view);
    if (view.state === 'stopping' || view.state === 'stopped') {
      throw new BakeFailure(
        'AWS_ERROR',
        `The builder ${instanceId} was ${describeEnd(view)} during the wait.`,
      );
    }
    return undefined;
  });
  try {
    await Promise.race([watch, run.clock.sleep(Math.max(0, seconds * 1000 - elapsedMs(run)), signal)]);
  } finally {
    stop.abort();
    await watch.catch(() => undefined);
  }
  return `waited ${seconds} s after the builder started`;
}
