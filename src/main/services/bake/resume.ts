import { STEP_LABELS, type BakeRecord, type BakeStep } from '../../../shared/bake';
import type { BakeRun, RunState } from './bake-run';
import { lookAgain } from './cleanup';
import { findBakeImages, findBakeInstances } from './find-resources';
import { renderImageName } from './image-name';
import { afterRecord, bakedMessage, BUILD_STEPS, failAndCleanUp, finish, hasStep, runStep } from './pipeline';
import { createImage } from './steps/create-image';

/** Steps that work on the builder itself: pointless to resume once it is gone. */
const NEEDS_BUILDER: readonly BakeStep[] = ['wait-running', 'run-script', 'stop'];
/** Console lines matched against the builder's console so a resumed bake does not log them twice. */
const KEPT_CONSOLE_LINES = 40;

/** The launch never made a builder (or EC2 does not list one): nothing to resume, nothing to clean. */
class NothingLaunched extends Error {}

function stepStatus(record: BakeRecord, step: BakeStep) {
  return record.steps.find((s) => s.step === step);
}

/**
 * Where a bake whose process died can carry on: the first build step its journal does not show done —
 * provided what that step works on still exists (`builders`: this bake's live instances, found by tag).
 * Steps are safe to run again: waits are idempotent, StopInstances and TerminateInstances too, the version
 * is recorded once per bake id; a builder or image whose creating call went unanswered is looked up by tag,
 * and RunInstances is never sent again. Every step done but the end not journaled: only `record` (a no-op
 * by then) and the end are left — never a cleanup of an image a version already names.
 */
export function resumePoint(record: BakeRecord, builders: readonly string[]): BakeStep | undefined {
  const step =
    BUILD_STEPS.map(([s]) => s).find((s) => {
      const status = stepStatus(record, s)?.status;
      return status !== undefined && status !== 'done';
    }) ?? 'record';
  if (step === 'launch') return step;
  const builderLives = record.instanceId !== undefined && builders.includes(record.instanceId);
  const needsBuilder = NEEDS_BUILDER.includes(step) || (step === 'create-image' && !record.imageId);
  return needsBuilder && !builderLives ? undefined : step;
}

/**
 * What the run knew, rebuilt from its journal, the nonce it was started with and its builder's wrapper
 * version (inputs written before the version was recorded belong to version 2 builders).
 */
export function resumedState(
  record: BakeRecord,
  nonce: string,
  wrapperVersion = 2,
): Partial<RunState> & { nonce: string } {
  const created = stepStatus(record, 'create-image')?.status;
  const scriptStartedAt =
    stepStatus(record, 'run-script')?.startedAt ?? stepStatus(record, 'wait-running')?.endedAt;
  const launchedAt = stepStatus(record, 'launch')?.endedAt ?? stepStatus(record, 'wait-running')?.startedAt;
  const imageStartedAt = stepStatus(record, 'create-image')?.startedAt;
  return {
    nonce,
    wrapperVersion,
    launchSent: true,
    launchAnswered: record.instanceId !== undefined,
    createImageSent: created !== undefined && created !== 'pending',
    createImageAnswered: record.imageId !== undefined,
    snapshotIds: [...record.snapshotIds],
    ...(record.instanceId ? { instanceId: record.instanceId } : {}),
    ...(record.imageId ? { imageId: record.imageId } : {}),
    ...(record.imageName ? { imageName: record.imageName } : {}),
    ...(record.baseImageId ? { base: { imageId: record.baseImageId } } : {}),
    ...(scriptStartedAt !== undefined ? { scriptStartedAt } : {}),
    ...(launchedAt !== undefined ? { launchedAt } : {}),
    ...(imageStartedAt !== undefined ? { imageStartedAt } : {}),
  };
}

/**
 * Carries a recovered bake on from `from` to the end, like the pipeline would have: the same steps, the
 * same events, the same cleanup if anything fails now. The time it was away counts in its step durations.
 */
export async function resumePipeline(run: BakeRun, from: BakeStep): Promise<void> {
  try {
    const logged = await run.env.store.bakes.readConsole(run.id);
    run.consoleTail.resumeAfter(logged.slice(-KEPT_CONSOLE_LINES));
    // The done marker may be further back than the kept lines (the shutdown logs dozens after it) and is
    // never read again from EC2 once skipped as known: the script watch reads the whole saved console.
    run.loggedConsole = logged;
    await run.emit({
      type: 'status',
      status: 'running',
      message: `Resumed at "${STEP_LABELS[from]}" after the process running it stopped.`,
    });
    const at = BUILD_STEPS.findIndex(([step]) => step === from);
    for (const [step, work] of BUILD_STEPS.slice(at)) {
      if (hasStep(run, step)) await runStep(run, step, () => (RESUMED_WORK[step] ?? work)(run));
    }
    await afterRecord(run);
    await finish(run, 'succeeded', bakedMessage(run, 'Resumed after a restart and baked'));
  } catch (error) {
    await run.scriptWatch?.stop();
    if (!(error instanceof NothingLaunched)) return await failAndCleanUp(run, error);
    await finish(run, 'interrupted', `The process running it stopped. ${error.message}`);
  }
}

/**
 * Steps that start from what the dead process knew only in memory: the builder or image whose creating call
 * went out unanswered is looked for before anything is made again, and the image name preflight chose is
 * chosen again.
 */
const RESUMED_WORK: Partial<Record<BakeStep, (run: BakeRun) => Promise<string>>> = {
  launch: findLaunched,
  'create-image': resumeImage,
};

/** The builder RunInstances made before the crash: journaled, or found by its bake-id tag. */
async function findLaunched(run: BakeRun): Promise<string> {
  if (run.state.instanceId) return `${run.state.instanceId} was launched before the restart`;
  const [found] = await lookAgain(run, run.signal, true, () => findBakeInstances(run, run.signal));
  if (!found) throw new NothingLaunched('EC2 lists no builder it launched, so there was nothing to resume.');
  run.state.instanceId = found;
  run.state.launchAnswered = true;
  await run.emit({ type: 'resource', kind: 'instance', id: found });
  return `found ${found}, launched before the restart`;
}

/** The image CreateImage may have started before the crash, else a new CreateImage from the stopped builder. */
async function resumeImage(run: BakeRun): Promise<string> {
  if (run.state.imageId) return `${run.state.imageId} was being created before the restart`;
  const [found] = run.state.createImageSent
    ? await lookAgain(run, run.signal, true, () => findBakeImages(run, run.signal))
    : [];
  if (found) {
    run.state.imageId = found.id;
    run.state.createImageSent = true;
    run.state.createImageAnswered = true;
    if (found.name) run.state.imageName = found.name;
    await run.emit({
      type: 'resource',
      kind: 'image',
      id: found.id,
      ...(found.name ? { name: found.name } : {}),
    });
    return `found ${found.id}, created before the restart`;
  }
  // Named as preflight would have named it; preflight's check that the name is free is not repeated, but
  // CreateImage refuses a taken name and the bake is then cleaned up like any failed one.
  const latest = await run.env.store.versions.latest(run.project.name);
  run.state.imageName ??= renderImageName(run.project.imageName, {
    project: run.project.name,
    bakeId: run.id,
    version: (latest?.version ?? 0) + 1,
    at: run.record.createdAt,
  });
  return createImage(run);
}
