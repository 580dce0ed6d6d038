import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';

/** Unsaved editor state, saved continuously so a crash or a quit loses nothing. */
export function draftsHandlers(
  ctx: AppContext,
): Pick<Handlers, 'drafts:get' | 'drafts:save' | 'drafts:clear'> {
  const { drafts } = ctx.runtime.store;
  return {
    'drafts:get': async (project) => (await drafts.read(project)) ?? null,
    'drafts:save': async ({ project, baseRevision, content }) => {
      const saved = await drafts.save(project, { content, ...(baseRevision ? { baseRevision } : {}) });
      return { savedAt: saved.savedAt };
    },
    'drafts:clear': async (project) => {
      await drafts.clear(project);
      return null;
    },
  };
}
