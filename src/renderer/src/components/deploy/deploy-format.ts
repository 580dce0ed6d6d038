import type { Deployment, DeployStatus, EffectivePreferences } from '../../../../shared/deploy';

/** Words and colours for the deploy screens. */
export const DEPLOY_STATUS_META: Record<DeployStatus, { label: string; color: string }> = {
  running: { label: 'Deploying', color: 'blue' },
  succeeded: { label: 'Deployed', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'gray' },
  'rolled-back': { label: 'Rolled back', color: 'orange' },
  interrupted: { label: 'Interrupted', color: 'yellow' },
};

/** "min healthy 90 %, warmup 60 s, auto rollback": what the refresh was asked to honour. */
export function preferencesText(p: EffectivePreferences): string {
  const parts = [`min healthy ${p.minHealthyPercentage} %`];
  if (p.maxHealthyPercentage !== 100) parts.push(`max healthy ${p.maxHealthyPercentage} %`);
  parts.push(
    p.instanceWarmupSeconds !== undefined ? `warmup ${p.instanceWarmupSeconds} s` : "the group's warmup",
  );
  if (p.checkpoints.length > 0) parts.push(`checkpoints at ${p.checkpoints.join(', ')} %`);
  if (p.skipMatching) parts.push('skip matching');
  parts.push(p.autoRollback ? 'auto rollback' : 'no auto rollback');
  return parts.join(' · ');
}

/** The refresh's own progress, or its rollback's once it rolls back. */
export function deployProgress(d: Deployment): { percent: number; toUpdate?: number; rollingBack: boolean } {
  if (d.status === 'succeeded') return { percent: 100, toUpdate: 0, rollingBack: false };
  const r = d.refresh;
  if (!r) return { percent: 0, rollingBack: false };
  if (r.rollback)
    return { percent: r.rollback.percentage, toUpdate: r.rollback.instancesToUpdate, rollingBack: true };
  return {
    percent: r.percentage,
    toUpdate: r.instancesToUpdate,
    rollingBack: d.rollbackRefreshId !== undefined,
  };
}

/** What is happening, in one line. */
export function deployHeadline(d: Deployment): string {
  const r = d.refresh;
  switch (d.status) {
    case 'running':
      if (!r) return 'Preparing the launch template version…';
      if (r.status === 'RollbackInProgress' || d.rollbackRefreshId) return 'Rolling back…';
      if (r.status === 'Pending') return 'Instance refresh starting…';
      if (r.status === 'Cancelling') return 'Cancelling the instance refresh…';
      return `Replacing instances: ${r.percentage} % done`;
    case 'succeeded':
      return `${d.group} runs ${d.imageId}`;
    case 'rolled-back':
      return `${d.group} was rolled back`;
    case 'failed':
      return 'The deployment failed';
    case 'cancelled':
      return 'The deployment was cancelled';
    case 'interrupted':
      return 'The deployment was interrupted';
  }
}

export function versionLabel(d: Pick<Deployment, 'version' | 'kind'>): string {
  const v = d.version !== undefined ? `Version ${d.version}` : 'An earlier version';
  return d.kind === 'rollback' ? `${v} (roll back)` : v;
}
