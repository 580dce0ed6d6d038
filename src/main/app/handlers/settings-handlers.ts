import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';

export function settingsHandlers(ctx: AppContext): Pick<Handlers, 'settings:get' | 'settings:update'> {
  return {
    'settings:get': () => ctx.settings.get(),
    'settings:update': (patch) => ctx.settings.update(patch),
  };
}
