import { randomBytes } from 'node:crypto';
import type { PrunePlanRequest } from '../../../shared/ipc/lifecycle.contract';
import { AppError } from '../../../shared/result';
import type { PruneRequest, Pruner } from '../../services/delivery/retention/pruner';
import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';

type LifecycleHandlers = Pick<Handlers, 'lifecycle:plan' | 'lifecycle:prune'>;

/**
 * The Versions tab's prune, in two calls like `quadraxis prune`: one to see the plan, one to retire the
 * images the person ticked. The second answers with a job id at once and reports each image through
 * `lifecycle:progress`; it plans again first and retires only ticked images it still would.
 */
export function lifecycleHandlers(ctx: AppContext): LifecycleHandlers {
  const running = new Set<string>();

  const pruner = (): Pruner => {
    const found = ctx.runtime.engine.pruner;
    if (!found) throw new AppError('UNAVAILABLE', 'Pruning needs the data directory; this runtime has none.');
    return found;
  };

  const request = async (req: PrunePlanRequest): Promise<PruneRequest> => {
    const entry = await ctx.runtime.store.projects.get(req.project);
    if (!entry) throw new AppError('NOT_FOUND', `There is no project named "${req.project}".`);
    const settings = ctx.settings.get();
    const profile = req.profile ?? settings.profile;
    if (!profile)
      throw new AppError('INVALID_INPUT', 'Choose the AWS profile to prune with.', { missing: 'profile' });
    const region = req.region ?? entry.project.region ?? settings.region;
    return { project: entry.project, profile, ...(region ? { region } : {}) };
  };

  return {
    'lifecycle:plan': async (req) => pruner().plan(await request(req)),

    'lifecycle:prune': async (req) => {
      const prune = await request(req);
      const service = pruner();
      const project = prune.project.name;
      if (running.has(project)) throw new AppError('CONFLICT', `A prune of ${project} is already running.`);
      running.add(project);
      const jobId = `pj_${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
      const chosen = [...req.imageIds];
      void service
        .prune(
          prune,
          () => Promise.resolve(chosen),
          (outcome) => ctx.hub.emit('lifecycle:progress', { type: 'outcome', jobId, project, outcome }),
        )
        .then(
          (report) => ctx.hub.emit('lifecycle:progress', { type: 'finished', jobId, project, report }),
          (error: unknown) => {
            ctx.logger.warn('a prune failed', { project, error: String(error) });
            const payload =
              error instanceof AppError
                ? error.toPayload()
                : {
                    code: 'AWS_ERROR' as const,
                    message: error instanceof Error ? error.message : String(error),
                  };
            ctx.hub.emit('lifecycle:progress', { type: 'failed', jobId, project, error: payload });
          },
        )
        .finally(() => running.delete(project));
      return { jobId };
    },
  };
}
