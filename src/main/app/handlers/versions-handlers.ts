import { AppError } from '../../../shared/result';
import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';

export function versionsHandlers(
  ctx: AppContext,
): Pick<Handlers, 'versions:list' | 'versions:get' | 'versions:count'> {
  const { versions } = ctx.runtime.store;
  return {
    'versions:list': async ({ project, limit, before }) => {
      const list = await versions.list(project, { limit, ...(before ? { before } : {}) });
      // Scripts can be large; the history shows everything else and the diff fetches the two it compares.
      return list.map(({ initScript: _script, ...rest }) => rest);
    },
    'versions:get': async ({ project, version }) => {
      const found = await versions.get(project, version);
      if (!found) throw new AppError('NOT_FOUND', `${project} has no version ${version}.`);
      return found;
    },
    // The store has no cheaper count than reading the list; this runs only when a delete is being confirmed.
    'versions:count': async (project) => ({
      count: (await versions.list(project, { limit: Number.MAX_SAFE_INTEGER })).length,
    }),
  };
}
