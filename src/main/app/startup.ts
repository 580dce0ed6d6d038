import type { RecoveryReport } from '../services/bake';
import type { AppContext } from './app-context';

/**
 * Work that follows start-up without holding up the window: bakes that a crashed or killed process left
 * behind are resumed or cleaned up, deployments it left are followed again, and the person is told.
 */
export async function recoverInterruptedBakes(ctx: AppContext): Promise<RecoveryReport | undefined> {
  try {
    const report = await ctx.runtime.engine.recover();
    const handled = report.bakes.filter((bake) => bake.outcome !== 'skipped');
    if (handled.length > 0) {
      ctx.notices.post({
        id: `recovery-${ctx.clock.now()}`,
        level: handled.some((b) => b.outcome === 'unreachable') ? 'warning' : 'info',
        title:
          handled.length === 1
            ? 'An interrupted bake was recovered'
            : `${handled.length} interrupted bakes were recovered`,
        message: handled.map((b) => `${b.project} (${b.bakeId}): ${b.message}`).join(' '),
        at: ctx.clock.now(),
      });
    }
    await recoverDeployments(ctx);
    return report;
  } catch (error) {
    ctx.logger.error('recovery of interrupted bakes failed', { error });
    return undefined;
  }
}

/** Deployments whose process stopped while their refresh ran in AWS: watched again, to their end. */
async function recoverDeployments(ctx: AppContext): Promise<void> {
  try {
    const taken = await ctx.runtime.deploy.recover();
    if (taken.length === 0) return;
    ctx.notices.post({
      id: `deploy-recovery-${ctx.clock.now()}`,
      level: 'info',
      title:
        taken.length === 1
          ? 'A deployment is followed again'
          : `${taken.length} deployments are followed again`,
      message: taken
        .map(
          (d) =>
            `${d.project} to ${d.group} (${d.id}) was left running by a process that stopped; Quadraxis watches it to its end.`,
        )
        .join(' '),
      at: ctx.clock.now(),
    });
  } catch (error) {
    ctx.logger.error('recovery of interrupted deployments failed', { error });
  }
}
