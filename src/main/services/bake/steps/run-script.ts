import { AppError } from '../../../../shared/result';
import type { BakeRun } from '../bake-run';
import { BakeFailure } from '../failure';
import type { InstanceView } from '../poller';
import { scriptWatch, type ScriptWatch } from '../script-watch';
import { waitForInstance } from '../wait';
import { waitStopped } from './stop';
import { assertPresent, describeEnd } from './wait-running';

const SELF_SHUTDOWN = 'Client.InstanceInitiatedShutdown';
const RESUMED_LOOKS = 3;
const USER_SHUTDOWN = 'Client.UserInitiatedShutdown';
/** EC2 posts buffered console output "shortly after" a state change: about two minutes, read three times. */
const BUFFERED_CONSOLE_WAITS_MS = [20_000, 40_000, 60_000];

/**
 * Waits until the init script has really finished. The wrapper (protocol version 2) prints a done marker
 * with the exit code on the serial console and powers the machine off whatever the outcome, so the one thing
 * to wait for is the builder going down by itself — seen by the region's shared poller on the builder's
 * schedule — and then one console read decides: exit 0 is imaged; another exit code fails with the console
 * tail; no marker means it went down before the script finished (a script that powers off itself, a crash).
 * Stopped by someone else, or terminated: failed, not imaged. Nothing within the timeout: TIMEOUT.
 */
export async function runScript(run: BakeRun): Promise<string> {
  const completion = run.project.completion;
  const instanceId = run.state.instanceId;
  if (!instanceId) throw new AppError('INTERNAL', 'run-script ran before launch.');
  if (completion.mode === 'wait') return waitFixedTime(run, instanceId, completion.seconds);

  const watch = scriptWatch(run);
  const stop = new AbortController();
  const signal = AbortSignal.any([run.signal, stop.signal]);
  // A bake resumed after a restart counts from when the script really started — but however late it comes
  // back, it looks at the builder a few times first: the script may well have finished while no one watched.
  const timeoutMs = Math.max(
    RESUMED_LOOKS * run.env.pollIntervalMs,
    completion.timeoutMinutes * 60_000 - elapsedMs(run),
  );
  let down: InstanceView;
  try {
    down = await Promise.race([
      watch.failed,
      waitForInstance(
        run.region.poller,
        instanceId,
        run.scope(signal),
        (view) => poweredOff(instanceId, view, watch),
        {
          schedule: run.builderSchedule,
          timeoutMs,
          onTimeout: () => new BakeFailure('TIMEOUT', 'The init script did not finish in time.'),
        },
      ),
    ]);
  } catch (error) {
    await watch.stop();
    if (!(error instanceof BakeFailure && error.code === 'TIMEOUT') || run.signal.aborted) throw error;
    // For the tail; and a builder from an older wrapper (version 1) stays up after a failed script.
    await run.consoleFeed.read(run.signal, watch.onLines);
    if (watch.exitCode) throw watch.failure(watch.exitCode);
    throw new BakeFailure(
      'TIMEOUT',
      `The init script did not finish within ${completion.timeoutMinutes} minutes` +
        (watch.began ? '.' : ' (it never reported starting: is cloud-init on this image?).'),
      { consoleTail: run.consoleTail.tail() },
    );
  } finally {
    stop.abort();
  }
  await watch.stop();
  return verdict(run, instanceId, down, watch);
}

/** The builder went down by itself: the done marker on its console says how the script ended. */
async function verdict(
  run: BakeRun,
  instanceId: string,
  down: InstanceView,
  watch: ScriptWatch,
): Promise<string> {
  // Always read once more, even after a marker seen live: the log then ends with the shutdown.
  await run.consoleFeed.read(run.signal, watch.onLines, { strict: true });
  if (watch.exitCode === undefined && down.state !== 'stopped') {
    // What EC2 hands out may lag the console by a moment; a stopped machine's output is complete.
    await waitStopped(run, instanceId);
    await run.consoleFeed.read(run.signal, watch.onLines, { strict: true });
  }
  // Buffered output (instance types without `Latest`) can trail a self-shutdown by a while: give it that
  // while before calling a script that powered off cleanly unfinished.
  for (const waitMs of BUFFERED_CONSOLE_WAITS_MS) {
    if (watch.exitCode !== undefined || run.consoleFeed.current) break;
    if (down.stateReasonCode !== SELF_SHUTDOWN) break;
    await run.clock.sleep(waitMs, run.signal);
    await run.consoleFeed.read(run.signal, watch.onLines, { strict: true });
  }
  if (watch.exitCode === undefined) {
    throw new BakeFailure(
      'SCRIPT_FAILED',
      `The builder ${instanceId} powered off before the init script finished (no done marker on its console): ` +
        'does the script shut the machine down itself? It was not imaged.',
      { consoleTail: watch.scriptTail() },
    );
  }
  if (watch.exitCode !== 0) throw watch.failure(watch.exitCode);
  return 'the script exited 0 and the builder powered itself off';
}

/** Time since the builder came up (and the script started), also across a restart of Quadraxis. */
function elapsedMs(run: BakeRun): number {
  return run.clock.now() - (run.state.scriptStartedAt ?? run.clock.now());
}

function poweredOff(
  instanceId: string,
  view: InstanceView | 'missing',
  watch: ScriptWatch,
): InstanceView | undefined {
  assertPresent(instanceId, view);
  if (view.state !== 'stopping' && view.state !== 'stopped') return undefined;
  if (view.stateReasonCode === USER_SHUTDOWN) {
    throw new BakeFailure(
      'AWS_ERROR',
      `Someone else stopped the builder ${instanceId} before the script finished; it was not imaged.`,
      { details: { stateReason: USER_SHUTDOWN } },
    );
  }
  if (view.stateReasonCode && view.stateReasonCode !== SELF_SHUTDOWN) {
    throw new BakeFailure(
      'AWS_ERROR',
      `The builder ${instanceId} was ${describeEnd(view)}; it was not imaged.`,
    );
  }
  // Stopping without a reason yet: the reason (who stopped it) follows, unless the marker already told.
  if (!view.stateReasonCode && view.state === 'stopping' && watch.exitCode === undefined) return undefined;
  return view;
}

/** Completion mode "wait": a fixed time after running, while still noticing a builder that goes away. */
async function waitFixedTime(run: BakeRun, instanceId: string, seconds: number): Promise<string> {
  const stop = new AbortController();
  const signal = AbortSignal.any([run.signal, stop.signal]);
  const watch = waitForInstance(
    run.region.poller,
    instanceId,
    run.scope(signal),
    (view) => {
      assertPresent(instanceId, view);
      if (view.state === 'stopping' || view.state === 'stopped') {
        throw new BakeFailure(
          'AWS_ERROR',
          `The builder ${instanceId} was ${describeEnd(view)} during the wait.`,
        );
      }
      return undefined;
    },
    { schedule: run.builderSchedule },
  );
  try {
    await Promise.race([watch, run.clock.sleep(Math.max(0, seconds * 1000 - elapsedMs(run)), signal)]);
  } finally {
    stop.abort();
    await watch.catch(() => undefined);
  }
  return `waited ${seconds} s after the builder started`;
}
