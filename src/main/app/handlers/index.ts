import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';
import { appHandlers } from './app-handlers';
import { settingsHandlers } from './settings-handlers';

/** One handler per invoke channel; the type makes a forgotten channel a compile error, the boot test a CI failure. */
export function createHandlers(ctx: AppContext): Handlers {
  return {
    ...appHandlers(ctx),
    ...settingsHandlers(ctx),
  };
}

/** Events that follow from service state, wired once per context. */
export function wireEvents(ctx: AppContext): () => void {
  const offs = [
    ctx.settings.onChange((settings) => ctx.hub.emit('settings:changed', settings)),
    ctx.notices.onPost((notice) => ctx.hub.emit('app:notice', notice)),
  ];
  return () => offs.forEach((off) => off());
}
