import type { PruneReport } from '../../../../shared/lifecycle';
import type { BakeRun } from '../bake-run';

/**
 * Prune after a successful bake, when the project asks for it. The bake has succeeded by now — its version
 * is recorded — so nothing here may fail it, let alone clean it up: a prune that cannot finish (another
 * prune running, AWS refusing, a cancel) marks only this step failed and says why; its journal is finished
 * by the next prune. The new image is the newest in every region, so the rules always keep it.
 */
export async function pruneAfterBake(run: BakeRun): Promise<void> {
  run.currentStep = 'prune';
  await run.emit({ type: 'step', step: 'prune', status: 'running' });
  const pruner = run.env.pruner;
  let status: 'done' | 'failed' = 'done';
  let message: string;
  if (!pruner) {
    message = 'skipped: this engine has no data directory to journal a prune in';
  } else {
    try {
      const report = await pruner.prune(
        {
          project: run.project,
          profile: run.record.profile,
          region: run.connection.region,
          ...(run.record.endpoint ? { endpoint: run.record.endpoint } : {}),
          signal: run.signal,
        },
        () => Promise.resolve(true),
      );
      run.apiCalls += report.apiCalls;
      message = summarize(report);
      if (report.outcomes.some((o) => o.result === 'failed') || report.plan.problems.length > 0)
        status = 'failed';
    } catch (error) {
      status = 'failed';
      message = error instanceof Error ? error.message : String(error);
    }
  }
  await run.emit({ type: 'step', step: 'prune', status, message });
}

export function summarize(report: PruneReport): string {
  const count = (result: string) => report.outcomes.filter((o) => o.result === result).length;
  const kept = report.plan.images.filter((i) => i.action === 'keep').length;
  const parts = [
    count('deregistered') > 0 ? `retired ${count('deregistered')}` : '',
    count('disabled') > 0 ? `disabled ${count('disabled')}` : '',
    count('skipped') > 0 ? `${count('skipped')} came into use and stay` : '',
    `kept ${kept}`,
    ...report.outcomes
      .filter((o) => o.result === 'failed')
      .map((o) => `${o.imageId} (${o.region}) failed: ${o.message ?? ''}`),
    ...report.plan.problems.map((p) => `${p.region} not looked at: ${p.message}`),
  ].filter(Boolean);
  return parts.join('; ');
}
