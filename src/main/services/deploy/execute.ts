import type { RefreshProgress } from '../../../shared/deploy';
import { AppError } from '../../../shared/result';
import {
  cancelRefresh,
  createTemplateVersion,
  restoreDefaultReference,
  rollbackRefresh,
  setDefaultVersion,
  startRefresh,
} from './aws-actions';
import type { DeployRun } from './run';
import { followRefresh } from './watch';

/**
 * A deployment from its launch template version to its end:
 *
 *   template  a new version of the group's template with the image (SourceVersion: what the group runs)
 *   refresh   StartInstanceRefresh onto that version, followed until AWS says it is over
 *   finalize  on success, the template's default version names the new AMI (and a `$Default` group is
 *             pointed back at `$Default`)
 *   rollback  when AWS rolls the group back, or — for a `$Default` group, which AWS cannot roll back —
 *             when Quadraxis refreshes it back onto the version it ran before
 */
export async function execute(run: DeployRun): Promise<void> {
  const { plan } = run;
  try {
    const version = await templateStep(run);
    if (version === undefined) return;
    if (run.requested?.kind === 'cancel' || run.requested?.kind === 'rollback') {
      await run.finish(
        'cancelled',
        `Cancelled before the refresh started: nothing changed on ${plan.group.name}.`,
      );
      return;
    }
    const refreshId = await startRefresh(
      plan,
      String(version),
      plan.preferences,
      plan.rollbackMode === 'aws' && plan.preferences.autoRollback,
    );
    await run.emit({
      type: 'refresh',
      refresh: {
        id: refreshId,
        status: 'Pending',
        percentage: 0,
        instancesToUpdate: plan.group.instances.length,
      },
    });
    await follow(run, refreshId, version);
  } catch (error) {
    if (run.signal.aborted) return;
    const failure = plan.calls.translate(error);
    await run.step(
      run.record.steps.find((s) => s.status === 'running')?.step ?? 'preflight',
      'failed',
      failure.message,
    );
    await run.finish('failed', failure.message, failure);
  }
}

/** Makes (or, rolling back, reuses) the launch template version; undefined when the run already ended. */
async function templateStep(run: DeployRun): Promise<number | undefined> {
  const { plan } = run;
  const change = run.record.launchTemplate!;
  if (change.newVersion !== undefined) return change.newVersion;
  if (plan.rollout.kind === 'existing-version') {
    await run.emit(
      { type: 'template', launchTemplate: { ...change, newVersion: plan.rollout.version, created: false } },
      {
        type: 'step',
        step: 'template',
        status: 'skipped',
        message: `Returning to version ${plan.rollout.version} of ${plan.group.template.name} (${plan.imageId}).`,
      },
      { type: 'step', step: 'refresh', status: 'running' },
    );
    return plan.rollout.version;
  }
  await run.step('template', 'running');
  const version = await createTemplateVersion(plan, run.id);
  await run.emit(
    { type: 'template', launchTemplate: { ...change, newVersion: version, created: true } },
    {
      type: 'step',
      step: 'template',
      status: 'done',
      message: `Version ${version} of ${plan.group.template.name} launches ${plan.imageId}.`,
    },
    { type: 'step', step: 'refresh', status: 'running' },
  );
  return version;
}

/** Follows the forward refresh, acting on cancel and roll back requests, to the deployment's end. */
export async function follow(run: DeployRun, refreshId: string, version: number): Promise<void> {
  const { plan } = run;
  let quadraxisRollback = false;
  let asked = false;
  for (;;) {
    const outcome = await followRefresh(run, refreshId, false);
    if (outcome.kind === 'request') {
      const request = outcome.request;
      run.requested = undefined;
      if (request.kind === 'cancel') {
        await cancelRefresh(plan);
      } else if (plan.rollbackMode === 'aws' && (await rollbackRefresh(plan))) {
        asked = true;
        await run.step(
          'rollback',
          'running',
          'AWS is replacing the new instances with the previous version.',
        );
      } else {
        // AWS cannot roll this refresh back: stop it, then refresh the group back ourselves.
        quadraxisRollback = true;
        await cancelRefresh(plan);
      }
      continue;
    }
    await conclude(run, outcome.refresh, version, quadraxisRollback, asked);
    return;
  }
}

async function conclude(
  run: DeployRun,
  refresh: RefreshProgress,
  version: number,
  rollbackAsked: boolean,
  rolledBackOnRequest = false,
): Promise<void> {
  const { plan } = run;
  const reason = (refresh.statusReason ?? refresh.rollback?.reason)?.replace(/\.$/, '');
  switch (refresh.status) {
    case 'Successful': {
      await run.step('refresh', 'done', `Every instance of ${plan.group.name} runs ${plan.imageId}.`);
      await run.step('finalize', 'running');
      await setDefaultVersion(plan, version);
      if (plan.group.versionRef === '$Default') await restoreDefaultReference(plan);
      await run.step('finalize', 'done', `${plan.group.template.name}'s default version is now ${version}.`);
      await run.finish(
        'succeeded',
        `${plan.group.name} runs ${plan.project.name}${plan.version !== undefined ? ` version ${plan.version}` : ''} (${plan.imageId}); the default version of ${plan.group.template.name} is ${version}.`,
      );
      return;
    }
    case 'RollbackSuccessful':
      await run.step(
        'refresh',
        rolledBackOnRequest ? 'cancelled' : 'failed',
        rolledBackOnRequest
          ? 'Stopped to roll back, as asked.'
          : (reason ?? 'The instance refresh was rolled back.'),
      );
      await run.step(
        'rollback',
        'done',
        `Every instance of ${plan.group.name} is back on version ${run.record.launchTemplate?.previousVersion}.`,
      );
      await run.finish(
        'rolled-back',
        `${plan.group.name} runs what it ran before (launch template version ${run.record.launchTemplate?.previousVersion}). AWS says: ${reason ?? 'the refresh did not succeed'}.`,
      );
      return;
    case 'RollbackFailed':
      await run.step('rollback', 'failed', reason);
      await run.finish(
        'failed',
        `The rollback failed too: ${reason ?? 'see the group'}. Look at ${plan.group.name} now.`,
        new AppError('AWS_ERROR', reason ?? 'RollbackFailed'),
      );
      return;
    case 'Cancelled':
    case 'Failed': {
      const wantRollback =
        rollbackAsked ||
        (refresh.status === 'Failed' && plan.rollbackMode === 'quadraxis' && plan.preferences.autoRollback);
      await run.step('refresh', refresh.status === 'Failed' ? 'failed' : 'cancelled', reason);
      if (wantRollback) {
        await quadraxisRollback(run, reason ?? refresh.status);
        return;
      }
      if (refresh.status === 'Cancelled') {
        await run.finish(
          'cancelled',
          `The instance refresh was cancelled; instances already replaced keep ${plan.imageId}. Roll back to replace them too.`,
        );
      } else {
        await run.finish(
          'failed',
          `The instance refresh failed: ${reason ?? 'no reason given'}.`,
          new AppError('AWS_ERROR', reason ?? 'Failed'),
        );
      }
      return;
    }
    default:
      await run.finish('failed', `The instance refresh ended ${refresh.status}.`);
  }
}

/** For groups AWS cannot roll back: refresh them back onto the version they ran before, skipping matches. */
async function quadraxisRollback(run: DeployRun, why: string): Promise<void> {
  const { plan } = run;
  const previous = run.record.launchTemplate?.previousVersion;
  await run.step(
    'rollback',
    'running',
    `Refreshing ${plan.group.name} back onto version ${previous} (${why}).`,
  );
  const target = plan.group.versionRef === '$Default' ? '$Default' : String(previous);
  const refreshId = await startRefresh(
    plan,
    target,
    { ...plan.preferences, skipMatching: true, checkpoints: [] },
    false,
  );
  await run.emit({
    type: 'refresh',
    refresh: { id: refreshId, status: 'Pending', percentage: 0, instancesToUpdate: 0 },
    rollback: true,
  });
  for (;;) {
    const outcome = await followRefresh(run, refreshId, true);
    if (outcome.kind === 'request') {
      // Already rolling back: a second roll back changes nothing; a cancel stops putting the group back.
      if (outcome.request.kind === 'cancel') await cancelRefresh(plan);
      run.requested = undefined;
      continue;
    }
    const refresh = outcome.refresh;
    if (refresh.status === 'Successful') {
      await run.step(
        'rollback',
        'done',
        `Every instance of ${plan.group.name} is back on version ${previous}.`,
      );
      await run.finish(
        'rolled-back',
        `Rolled back by Quadraxis (${why}): ${plan.group.name} runs version ${previous} again.`,
      );
    } else {
      await run.step('rollback', 'failed', refresh.statusReason);
      await run.finish(
        'failed',
        `Putting ${plan.group.name} back failed too (${refresh.status}): look at the group now.`,
        new AppError('AWS_ERROR', refresh.statusReason ?? refresh.status),
      );
    }
    return;
  }
}
