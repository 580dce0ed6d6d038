import { DEPLOY_DEFAULTS, type EffectivePreferences } from '../../../shared/deploy';
import type { DeployPreferences } from '../../../shared/project';
import { AppError } from '../../../shared/result';

/**
 * The preferences one refresh runs with: Quadraxis's defaults, then the project's, the target's and the
 * call's, each field from the last layer that sets it. Checkpoints always end at 100: AWS stops a refresh
 * at a last checkpoint below 100, which would leave a deploy half done.
 */
export function effectivePreferences(...layers: (DeployPreferences | undefined)[]): EffectivePreferences {
  const merged: DeployPreferences = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer) as [keyof DeployPreferences, unknown][]) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
  }
  const min = merged.minHealthyPercentage ?? DEPLOY_DEFAULTS.minHealthyPercentage;
  const max = merged.maxHealthyPercentage ?? DEPLOY_DEFAULTS.maxHealthyPercentage;
  if (max - min > 100) {
    throw new AppError(
      'INVALID_INPUT',
      `Max healthy ${max} % is more than 100 points above min healthy ${min} %, which AWS refuses.`,
    );
  }
  const checkpoints = merged.checkpoints ?? [];
  if (merged.checkpointDelaySeconds !== undefined && checkpoints.length === 0) {
    throw new AppError('INVALID_INPUT', 'A checkpoint delay needs checkpoints to wait at.');
  }
  return {
    minHealthyPercentage: min,
    maxHealthyPercentage: max,
    ...(merged.instanceWarmupSeconds !== undefined
      ? { instanceWarmupSeconds: merged.instanceWarmupSeconds }
      : {}),
    checkpoints: checkpoints.length > 0 && checkpoints.at(-1) !== 100 ? [...checkpoints, 100] : checkpoints,
    ...(merged.checkpointDelaySeconds !== undefined
      ? { checkpointDelaySeconds: merged.checkpointDelaySeconds }
      : {}),
    skipMatching: merged.skipMatching ?? DEPLOY_DEFAULTS.skipMatching,
    autoRollback: merged.autoRollback ?? DEPLOY_DEFAULTS.autoRollback,
  };
}

/** "min healthy 75 %, warmup 30 s, checkpoints 50/100 % (1 h), auto rollback": one line for logs and the CLI. */
export function describePreferences(p: EffectivePreferences): string {
  const parts = [`min healthy ${p.minHealthyPercentage} %`];
  if (p.maxHealthyPercentage !== 100) parts.push(`max healthy ${p.maxHealthyPercentage} %`);
  parts.push(
    p.instanceWarmupSeconds !== undefined ? `warmup ${p.instanceWarmupSeconds} s` : "the group's warmup",
  );
  if (p.checkpoints.length > 0) {
    parts.push(`checkpoints ${p.checkpoints.join('/')} % (${p.checkpointDelaySeconds ?? 3600} s each)`);
  }
  if (p.skipMatching) parts.push('skip matching');
  parts.push(p.autoRollback ? 'auto rollback' : 'no auto rollback');
  return parts.join(', ');
}
