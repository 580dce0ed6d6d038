import { STEP_LABELS, type BakeRecord, type BakeStatus, type BakeStep } from '../../../shared/bake';
import { AppError } from '../../../shared/result';
import { abortReason } from '../clock';
import type { BakeRun, BakeRunCore } from './bake-run';
import { cleanUp } from './cleanup';
import { asFailure, BakeFailure, toBakeError } from './failure';
import { createImage } from './steps/create-image';
import { copyStep, deliveryPreflight, publishStep, shareStep } from './steps/deliver';
import { pruneAfterBake } from './steps/prune';
import { launch } from './steps/launch';
import { preflight } from './steps/preflight';
import { recordVersion } from './steps/record';
import { runScript } from './steps/run-script';
import { stopBuilder } from './steps/stop';
import { terminateBuilder } from './steps/terminate';
import { waitImage } from './steps/wait-image';
import { waitRunning } from './steps/wait-running';

export const BUILD_STEPS: readonly [BakeStep, (run: BakeRun) => Promise<string>][] = [
  ['launch', launch],
  ['wait-running', waitRunning],
  ['run-script', runScript],
  ['stop', stopBuilder],
  ['create-image', createImage],
  ['wait-image', waitImage],
  ['terminate', terminateBuilder],
  ['copy', copyStep],
  ['share', shareStep],
  ['publish', publishStep],
  ['record', recordVersion],
];

/** Whether this bake runs the step at all (delivery steps only when its project delivers). */
export function hasStep(run: BakeRunCore, step: BakeStep): boolean {
  return run.record.steps.some((s) => s.step === step);
}

/** Once the version is recorded the bake has succeeded: what follows never fails it (see steps/prune.ts). */
export async function afterRecord(run: BakeRun): Promise<void> {
  if (!hasStep(run, 'prune')) return;
  try {
    await pruneAfterBake(run);
  } catch (error) {
    run.logger.error('could not journal the prune after a bake', { bakeId: run.id, error: String(error) });
  }
}

/** What the engine decides between preflight and launch: lead (with a concurrency slot) or follow a twin. */
export interface PipelineHooks {
  afterPreflight(run: BakeRun): { follow: BakeRun } | 'lead';
  acquireSlot(run: BakeRun): Promise<() => void>;
  follow(run: BakeRun, leader: BakeRun): Promise<void>;
}

/** How a succeeded bake is summed up: its image and version, and cloud-init's warnings when it had some. */
export function bakedMessage(run: BakeRunCore, prefix = 'Baked'): string {
  const warnings = run.record.warnings?.length ?? 0;
  const warned = warnings > 0 ? ` with ${warnings} cloud-init warning${warnings === 1 ? '' : 's'}` : '';
  return `${prefix} ${run.state.imageId ?? ''} (version ${run.state.version ?? '?'})${warned}.`;
}

/** Runs one step: announced, timed (by its events' times), journaled. Its "done" goes out with what follows. */
export async function runStep(run: BakeRunCore, step: BakeStep, work: () => Promise<string>): Promise<void> {
  // Set first: a cancel that lands between two steps is reported on the step that did not get to run.
  run.currentStep = step;
  if (run.signal.aborted) throw abortReason(run.signal);
  await run.emit({ type: 'step', step, status: 'running' });
  const message = await work();
  run.defer({ type: 'step', step, status: 'done', message });
}

export async function runPipeline(run: BakeRun, hooks: PipelineHooks): Promise<void> {
  let release: (() => void) | undefined;
  try {
    run.defer({ type: 'status', status: 'running' });
    await runStep(run, 'preflight', async () => {
      const checked = await preflight(run);
      const delivered = await deliveryPreflight(run);
      return delivered ? `${checked}; ${delivered}` : checked;
    });
    const plan = hooks.afterPreflight(run);
    if (plan !== 'lead') return await hooks.follow(run, plan.follow);
    release = await hooks.acquireSlot(run);
    for (const [step, work] of BUILD_STEPS) if (hasStep(run, step)) await runStep(run, step, () => work(run));
    await afterRecord(run);
    await finish(run, 'succeeded', bakedMessage(run));
  } catch (error) {
    // A step that failed outside the script's wait leaves its console stream running: end it before cleanup.
    await run.scriptWatch?.stop();
    await failAndCleanUp(run, error);
  } finally {
    release?.();
  }
}

/**
 * After a failure or a cancel: mark the step, say why, and remove whatever the bake made. `cancelled` and
 * `failed` are final only once cleanup has run. Journaling here is best effort: a full disk must not stop
 * the builder from being terminated.
 */
export async function failAndCleanUp(run: BakeRunCore, error: unknown): Promise<void> {
  if (run.lost) return run.resolveFinal(run.snapshot());
  if (run.suspended) return leaveForNextStart(run);
  const cancelled = run.signal.aborted;
  const reason: unknown = run.signal.reason;
  const failure = cancelled
    ? new BakeFailure('CANCELLED', reason instanceof AppError ? reason.message : 'The bake was cancelled.')
    : asFailure(error, run.connection.clients.target);
  const step = run.currentStep ?? 'preflight';
  const status = cancelled ? 'cancelled' : 'failed';
  await journal(run, () =>
    run.emit(
      { type: 'step', step, status, message: failure.message },
      ...(cancelled ? [] : [{ type: 'error' as const, error: toBakeError(step, failure) }]),
    ),
  );
  let message = failure.message;
  if (run.state.launchSent || run.state.createImageSent) {
    const problems = await cleanUpWithStep(run);
    if (run.suspended) return leaveForNextStart(run);
    if (problems.length > 0)
      message += ` Cleanup incomplete: ${problems.join('; ')}. Run \`quadraxis sweep\`.`;
  }
  await journal(run, () => finish(run, status, message));
  run.resolveFinal({ ...run.snapshot(), status, message });
}

async function journal(run: BakeRunCore, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    run.logger.error('could not journal a bake event', { bakeId: run.id, error: String(error) });
  }
}

export async function cleanUpWithStep(run: BakeRunCore): Promise<string[]> {
  run.currentStep = 'cleanup';
  await journal(run, () =>
    run.emit({ type: 'status', status: 'cleaning-up' }, { type: 'step', step: 'cleanup', status: 'running' }),
  );
  const { problems } = await cleanUp(run, run.suspendSignal);
  // Shut down midway: the step stays running, and the next start's recovery finishes it.
  if (run.suspended) return problems;
  const done =
    run.record.cleanedUp.length > 0 ? run.record.cleanedUp.join(', ') : 'nothing was left to remove';
  await journal(run, () =>
    run.emit({
      type: 'step',
      step: 'cleanup',
      status: problems.length > 0 ? 'failed' : 'done',
      message: problems.length > 0 ? problems.join('; ') : done,
    }),
  );
  return problems;
}

/**
 * Shutdown: the bake stays unfinished and unowned, with a note saying so; the next start's recovery resumes
 * it, or finishes its cleanup, from the journal.
 */
async function leaveForNextStart(run: BakeRunCore): Promise<void> {
  const what = run.record.status === 'cleaning-up' ? 'its cleanup' : 'it';
  await journal(run, () =>
    run.emit({
      type: 'status',
      status: run.record.status,
      message: `Quadraxis shut down; the next start carries ${what} on from "${STEP_LABELS[run.currentStep ?? 'preflight']}".`,
    }),
  );
  run.resolveFinal(run.snapshot());
}

/** Final status and the final record (steps that never ran marked skipped), journaled together; then settle. */
export async function finish(
  run: BakeRunCore,
  status: BakeStatus,
  message: string,
  extra: Partial<BakeRecord> = {},
): Promise<void> {
  const statusEvent = { type: 'status', status, message } as const;
  const current = run.preview(statusEvent);
  const record: BakeRecord = {
    ...current,
    ...extra,
    ...(run.state.version !== undefined ? { version: run.state.version } : {}),
    steps: current.steps.map((s) =>
      s.status === 'pending' || s.status === 'running' ? { ...s, status: 'skipped' } : s,
    ),
  };
  await run.emit(statusEvent, { type: 'finished', record });
  run.resolveFinal(run.snapshot());
}
