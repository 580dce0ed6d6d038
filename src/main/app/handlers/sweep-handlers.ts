import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';

type SweepHandlers = Pick<Handlers, 'sweep:builders'>;

/**
 * The app's side of `quadraxis sweep`, in two calls: one to look, one to terminate what the person ticked.
 * The second call looks again and ends only ticked builders it still finds orphaned.
 */
export function sweepHandlers(ctx: AppContext): SweepHandlers {
  return {
    'sweep:builders': async ({ profile, region, terminate }) => {
      const { confirmed: _confirmed, ...report } = await ctx.runtime.engine.sweep({
        profile,
        ...(region ? { region } : {}),
        confirm: () => Promise.resolve(terminate ?? false),
      });
      return report;
    },
  };
}
