import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';
import { appHandlers } from './app-handlers';
import { awsHandlers, wireAwsEvents } from './aws-handlers';
import { draftsHandlers } from './drafts-handlers';
import { projectsHandlers, wireProjectEvents } from './projects-handlers';
import { versionsHandlers } from './versions-handlers';
import { bakeHandlers, wireBakeEvents } from './bake-handlers';
import { settingsHandlers } from './settings-handlers';
import { sweepHandlers } from './sweep-handlers';
import { webhookHandlers, wireWebhook } from './webhook-handlers';
import { deployHandlers, wireDeployEvents } from './deploy-handlers';
import { sandboxHandlers } from './sandbox-handlers';
import { lifecycleHandlers } from './lifecycle-handlers';

/**
 * One handler per invoke channel, gathered from one file per area (<area>-handlers.ts, matching
 * src/shared/ipc/<area>.contract.ts). The Handlers type makes a forgotten channel a compile error and the
 * boot test a CI failure.
 */
export function createHandlers(ctx: AppContext): Handlers {
  return {
    ...appHandlers(ctx),
    ...bakeHandlers(ctx),
    ...sweepHandlers(ctx),
    ...settingsHandlers(ctx),
    ...projectsHandlers(ctx),
    ...draftsHandlers(ctx),
    ...versionsHandlers(ctx),
    ...awsHandlers(ctx),
    ...webhookHandlers(ctx),
    ...deployHandlers(ctx),
    ...sandboxHandlers(ctx),
    ...lifecycleHandlers(ctx),
  };
}

/** Events that follow from service state, wired once per context; each area adds its own wiring here. */
export function wireEvents(ctx: AppContext): () => void {
  const offs = [
    ctx.settings.onChange((settings) => ctx.hub.emit('settings:changed', settings)),
    ctx.notices.onPost((notice) => ctx.hub.emit('app:notice', notice)),
    wireProjectEvents(ctx),
    wireAwsEvents(ctx),
    wireBakeEvents(ctx),
    wireWebhook(ctx),
    wireDeployEvents(ctx),
  ];
  return () => offs.forEach((off) => off());
}
