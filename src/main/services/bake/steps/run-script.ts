import type { BakeWarning } from '../../../../shared/bake';
import { unknownTopLevelKeys } from '../../../../shared/cloud-config-rules';
import { LATE_CONSOLE_CAP_MINUTES } from '../../../../shared/instance-types';
import { AppError } from '../../../../shared/result';
import { scriptKind } from '../../../../shared/script-diagnostics';
import type { BakeRun } from '../bake-run';
import { BakeFailure } from '../failure';
import type { InstanceView } from '../poller';
import { scriptWatch, type ScriptWatch } from '../script-watch';
import { CLEANED_MARKER_SINCE } from '../../../../protocol/user-data';
import { waitForInstance } from '../wait';
import { waitStopped } from './stop';
import { assertPresent, describeEnd } from './wait-running';

const SELF_SHUTDOWN = 'Client.InstanceInitiatedShutdown';
const RESUMED_LOOKS = 3;
const USER_SHUTDOWN = 'Client.UserInitiatedShutdown';
/**
 * A console EC2 publishes late (Xen types refuse `Latest=true`; reports say the output of a stopped one can
 * take many minutes to appear) is read every half minute until it shows the guest powering down — then it
 * is complete — for at most this long after the builder went down.
 */
export const BUFFERED_CONSOLE_CAP_MS = LATE_CONSOLE_CAP_MINUTES * 60_000;
const BUFFERED_CONSOLE_EVERY_MS = 30_000;

/**
 * Waits until the init script has really finished. The wrapper prints a done marker with the exit code on
 * the serial console and powers the machine off whatever the outcome (after a success, once it has removed
 * the user data and printed `cleaned`), so the one thing to wait for is the builder going down by itself —
 * seen by the region's shared poller on the builder's schedule — and then the console decides: the last
 * done marker's exit code, cloud-init's warnings, a reboot in between. Stopped by someone else, or
 * terminated: failed, not imaged. Nothing within the timeout: TIMEOUT.
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
    // For the tail, a reboot nobody watched, and a builder from an older wrapper (version 1), which stays
    // up after a failed script.
    await run.consoleFeed.read(run.signal, watch.onLines);
    if (watch.reader.reboot) throw watch.rebootFailure();
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

/** The builder went down by itself: its console says how the script ended. */
async function verdict(
  run: BakeRun,
  instanceId: string,
  down: InstanceView,
  watch: ScriptWatch,
): Promise<string> {
  // Always read once more, even after markers seen live: the log then ends with the shutdown.
  await run.consoleFeed.read(run.signal, watch.onLines, { strict: true });
  if (!watch.settled && down.state !== 'stopped') {
    // What EC2 hands out may lag the console by a moment; a stopped machine's output is complete.
    await waitStopped(run, instanceId);
    await run.consoleFeed.read(run.signal, watch.onLines, { strict: true });
  }
  const buffered = !run.consoleFeed.current && down.stateReasonCode === SELF_SHUTDOWN;
  const waited = buffered ? await untilPoweredDown(run, watch) : 0;
  const outcome = decide(run, instanceId, watch, waited);
  return (await cloudInitWarnings(run, watch)) ?? outcome;
}

/**
 * cloud-init's recoverable errors (a #cloud-config with a misspelled key, say): on the record in any case,
 * and the bake failed for them unless the project accepts them.
 */
async function cloudInitWarnings(run: BakeRun, watch: ScriptWatch): Promise<string | undefined> {
  const reader = watch.reader;
  const reported = Math.max(reader.warningCount ?? 0, reader.warnings.length);
  const warnings: BakeWarning[] = reader.warnings.map((w) => ({
    source: 'cloud-init',
    level: w.level,
    message: w.message.slice(0, 2000),
  }));
  if (warnings.length < reported) {
    const missing = reported - warnings.length;
    warnings.push({
      source: 'cloud-init',
      level: 'WARNING',
      message: `${missing} more not found on the console (it keeps only its last 64 KB)`,
    });
  }
  const silent = silentlyIgnoredKeys(run, warnings);
  warnings.push(...silent);
  const count = reported + silent.length;
  if (count === 0) return undefined;
  await run.emit({ type: 'warnings', warnings });
  const noun = `${count} warning${count === 1 ? '' : 's'}`;
  const completion = run.project.completion;
  if (completion.mode === 'wrapper' && completion.cloudConfigWarnings === 'accept') {
    return `cloud-init finished with ${noun}, which the project accepts; the builder powered itself off`;
  }
  throw new BakeFailure(
    'SCRIPT_FAILED',
    `cloud-init finished the #cloud-config with ${noun} (recoverable errors: ${warnings[0]!.message}` +
      `${count > 1 ? ' …' : ''}); the project fails a bake on warnings (completion.cloudConfigWarnings: fail), so nothing was imaged. ` +
      'Fix the config, or set cloudConfigWarnings to accept.',
    { consoleTail: warnings.map((w) => `${w.level}: ${w.message}`) },
  );
}

/**
 * Unknown top-level keys of the project's #cloud-config that cloud-init did not name: cloud-init before 23.4
 * (Debian 12, Amazon Linux 2023) skips them without a word, and the bake must not end plain "succeeded"
 * with part of the config never applied. A key cloud-init did name is not repeated.
 */
function silentlyIgnoredKeys(run: BakeRun, named: BakeWarning[]): BakeWarning[] {
  if (run.project.completion.mode !== 'wrapper' || scriptKind(run.project.initScript) !== 'cloud-config') {
    return [];
  }
  return unknownTopLevelKeys(run.project.initScript)
    .filter(({ key }) => !named.some((w) => w.message.includes(`'${key}'`)))
    .map(({ message }) => ({ source: 'quadraxis', level: 'UNKNOWN KEY', message: message.slice(0, 2000) }));
}

/**
 * Buffered output (Xen types, no `Latest`) trails a self-shutdown by a while, minutes at times: read it
 * until it shows the guest powering down (or the wrapper's last word), up to BUFFERED_CONSOLE_CAP_MS.
 * Returns how long it waited.
 */
async function untilPoweredDown(run: BakeRun, watch: ScriptWatch): Promise<number> {
  const start = run.clock.now();
  while (!watch.settled && !watch.reader.poweredDown) {
    if (run.clock.now() - start >= BUFFERED_CONSOLE_CAP_MS) break;
    await run.clock.sleep(BUFFERED_CONSOLE_EVERY_MS, run.signal);
    await run.consoleFeed.read(run.signal, watch.onLines, { strict: true });
  }
  return run.clock.now() - start;
}

function decide(run: BakeRun, instanceId: string, watch: ScriptWatch, waitedMs: number): string {
  const reader = watch.reader;
  if (reader.reboot) throw watch.rebootFailure();
  if (reader.exitCode === undefined) {
    const late =
      waitedMs >= BUFFERED_CONSOLE_CAP_MS
        ? ` Its console (${run.project.instanceType} publishes it late) still showed neither a done marker nor the power-down ${Math.round(waitedMs / 60_000)} minutes after.`
        : '';
    throw new BakeFailure(
      'SCRIPT_FAILED',
      `The builder ${instanceId} powered off before the init script finished (no done marker on its console): ` +
        `does the script shut the machine down itself? It was not imaged.${late}`,
      { consoleTail: watch.scriptTail() },
    );
  }
  if (reader.exitCode !== 0) throw watch.failure(reader.exitCode);
  if (run.state.wrapperVersion >= CLEANED_MARKER_SINCE && !reader.cleaned) {
    const what = reader.notCleaned
      ? `could not remove ${reader.notCleaned.trim()}`
      : 'did not report removing its user data before the builder went down';
    throw new BakeFailure(
      'SCRIPT_FAILED',
      `The init script succeeded, but the wrapper ${what}; the builder was not imaged, so no copy of the user data or its environment is baked in.`,
      { consoleTail: run.consoleTail.tail() },
    );
  }
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
