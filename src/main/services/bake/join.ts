import type { BakeEvent, BakeRecord } from '../../../shared/bake';
import { abortReason } from '../clock';
import type { BakeRun } from './bake-run';
import { BakeFailure } from './failure';
import { finish } from './pipeline';

/**
 * A bake identical to one already running (same account, region, resolved base AMI, script, env, instance
 * type) launches nothing: it mirrors the leader's steps and console, and ends with the leader's result.
 * It owns no resources (its journal names none), so cancelling it — or a crash — leaves the leader alone.
 */
export async function followLeader(run: BakeRun, leader: BakeRun): Promise<void> {
  await run.emit({
    type: 'status',
    status: 'running',
    message: `Joined ${leader.id}, an identical bake already running.`,
    joinedTo: leader.id,
  });
  for (const s of leader.record.steps) {
    if (s.step !== 'preflight' && s.status !== 'pending')
      await run.emit({
        type: 'step',
        step: s.step,
        status: s.status,
        ...(s.message ? { message: s.message } : {}),
      });
  }
  let mirrored = Promise.resolve();
  const mirror = (event: BakeEvent) => {
    if (event.type === 'step' && event.step !== 'preflight' && event.step !== 'cleanup') {
      const { step, status, message } = event;
      if (status === 'running') run.currentStep = step;
      mirrored = mirrored.then(() =>
        run.emit({ type: 'step', step, status, ...(message ? { message } : {}) }),
      );
    } else if (event.type === 'console') {
      const { lines } = event;
      mirrored = mirrored.then(() => run.emit({ type: 'console', lines }));
    } else if (event.type === 'warnings') {
      // cloud-init's warnings belong to the twin's result as much as to its leader's.
      const { warnings } = event;
      mirrored = mirrored.then(() => run.emit({ type: 'warnings', warnings }));
    }
  };
  const stopMirroring = leader.subscribe(mirror);
  let outcome: BakeRecord;
  try {
    outcome = await new Promise<BakeRecord>((resolve, reject) => {
      if (run.signal.aborted) return reject(abortReason(run.signal));
      run.signal.addEventListener('abort', () => reject(abortReason(run.signal)), { once: true });
      void leader.final.then(resolve);
    });
  } finally {
    stopMirroring();
    await mirrored.catch(() => undefined);
  }
  if (outcome.status !== 'succeeded' || !outcome.imageId) {
    run.currentStep = outcome.error?.step ?? run.currentStep;
    throw new BakeFailure(
      outcome.error?.code === 'SCRIPT_FAILED' ? 'SCRIPT_FAILED' : 'AWS_ERROR',
      `The identical bake it joined (${leader.id}) ${outcome.status}: ${outcome.error?.message ?? outcome.message ?? 'no reason given'}`,
      {
        ...(outcome.error?.exitCode !== undefined ? { exitCode: outcome.error.exitCode } : {}),
        ...(outcome.error?.consoleTail ? { consoleTail: outcome.error.consoleTail } : {}),
      },
    );
  }
  if (outcome.version !== undefined) run.state.version = outcome.version;
  await finish(run, 'succeeded', `Same image as ${leader.id}: ${outcome.imageId}.`, {
    joinedTo: leader.id,
    imageId: outcome.imageId,
    snapshotIds: outcome.snapshotIds,
    ...(outcome.imageName ? { imageName: outcome.imageName } : {}),
    ...(outcome.baseImageId ? { baseImageId: outcome.baseImageId } : {}),
  });
}
