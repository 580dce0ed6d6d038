import type { RecoveryReport } from '../services/bake';
import type { AppContext } from './app-context';

/**
 * Work that follows start-up without holding up the window: bakes that a crashed or killed process left
 * behind are resumed or cleaned up, and the person is told what happened to each.
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
    return report;
  } catch (error) {
    ctx.logger.error('recovery of interrupted bakes failed', { error });
    return undefined;
  }
}
