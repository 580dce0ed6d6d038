import type { DeployStartRequest } from '../../../shared/ipc/deploy.contract';
import { AppError } from '../../../shared/result';
import type { DeployRequest } from '../../services/deploy/types';
import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';

type DeployHandlers = Pick<
  Handlers,
  | 'deploy:targets'
  | 'deploy:preview'
  | 'deploy:start'
  | 'deploy:cancel'
  | 'deploy:rollback'
  | 'deploy:get'
  | 'deploy:list'
>;

/** Every deploy event goes to the renderers as it is (a few per refresh look at most). */
export function wireDeployEvents(ctx: AppContext): () => void {
  return ctx.runtime.deploy.subscribe((event) => ctx.hub.emit('deploy:event', event));
}

export function deployHandlers(ctx: AppContext): DeployHandlers {
  const { deploy, store } = ctx.runtime;

  /** The dialog's request as the service takes it: the settings' profile when neither call nor target names one. */
  const request = (r: DeployStartRequest): DeployRequest => {
    const settings = ctx.settings.get();
    return {
      project: r.project,
      ...(r.version !== undefined ? { version: r.version } : {}),
      group: r.group,
      ...(r.region ? { region: r.region } : {}),
      ...(r.profile ? { profile: r.profile } : {}),
      ...(settings.profile ? { defaultProfile: settings.profile } : {}),
      ...(r.preferences ? { preferences: r.preferences } : {}),
      trigger: 'app',
    };
  };

  return {
    'deploy:targets': async ({ project }) => {
      const entry = await store.projects.get(project);
      if (!entry) throw new AppError('NOT_FOUND', `There is no project named "${project}".`);
      const settings = ctx.settings.get();
      const region = entry.project.region ?? settings.region;
      return {
        targets: (entry.project.deploy?.targets ?? []).map((t) => ({
          group: t.group,
          ...((t.region ?? region) ? { region: t.region ?? region } : {}),
          ...(t.profile ? { profile: t.profile } : {}),
        })),
        ...(settings.profile ? { profile: settings.profile } : {}),
        ...(region ? { region } : {}),
      };
    },
    'deploy:preview': (r) => deploy.preview(request(r)),
    'deploy:start': (r) => deploy.start(request(r)),
    'deploy:cancel': async (id) => {
      await deploy.cancel(id);
      return null;
    },
    'deploy:rollback': (id) => deploy.rollback(id, { trigger: 'app' }),
    'deploy:get': async (id) => {
      const found = await deploy.get(id);
      if (!found) throw new AppError('NOT_FOUND', `There is no deployment ${id}.`);
      return found;
    },
    'deploy:list': ({ project, limit }) => deploy.list(project, limit),
  };
}
