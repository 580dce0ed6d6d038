import type { EventChannel, InvokeChannel } from './contract';
import { APP_EVENTS, APP_INVOKE, SETTINGS_EVENTS, SETTINGS_INVOKE } from './ipc/app.channels';
import { AWS_EVENTS, AWS_INVOKE } from './ipc/aws.channels';
import { DRAFTS_INVOKE } from './ipc/drafts.channels';
import { PROJECTS_EVENTS, PROJECTS_INVOKE } from './ipc/projects.channels';
import { VERSIONS_INVOKE } from './ipc/versions.channels';
import { BAKE_EVENTS, BAKE_INVOKE } from './ipc/bake.channels';
import { SWEEP_INVOKE } from './ipc/sweep.channels';
import { WEBHOOK_EVENTS, WEBHOOK_INVOKE } from './ipc/webhook.channels';
import { DEPLOY_EVENTS, DEPLOY_INVOKE } from './ipc/deploy.channels';
import { SANDBOX_INVOKE } from './ipc/sandbox.channels';
import { LIFECYCLE_EVENTS, LIFECYCLE_INVOKE } from './ipc/lifecycle.channels';

/**
 * Channel names only, so the sandboxed preload can build `window.quadraxis` without bundling zod.
 * The `satisfies` clauses and tests/unit/foundation/contract.test.ts keep these lists and the contract equal.
 */
export const INVOKE_CHANNELS = [
  ...APP_INVOKE,
  ...SETTINGS_INVOKE,
  ...PROJECTS_INVOKE,
  ...DRAFTS_INVOKE,
  ...VERSIONS_INVOKE,
  ...AWS_INVOKE,
  ...BAKE_INVOKE,
  ...SWEEP_INVOKE,
  ...WEBHOOK_INVOKE,
  ...DEPLOY_INVOKE,
  ...SANDBOX_INVOKE,
  ...LIFECYCLE_INVOKE,
] as const satisfies readonly InvokeChannel[];

export const EVENT_CHANNELS = [
  ...APP_EVENTS,
  ...SETTINGS_EVENTS,
  ...PROJECTS_EVENTS,
  ...AWS_EVENTS,
  ...BAKE_EVENTS,
  ...WEBHOOK_EVENTS,
  ...DEPLOY_EVENTS,
  ...LIFECYCLE_EVENTS,
] as const satisfies readonly EventChannel[];

/** `bake:start` → ['bake', 'start']; `settings:changed` → ['settings', 'onChanged'] for events. */
export function apiPath(channel: string, kind: 'invoke' | 'event'): [string, string] {
  const [area, verb] = channel.split(':') as [string, string];
  const camel = verb.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return [area, kind === 'invoke' ? camel : `on${camel.charAt(0).toUpperCase()}${camel.slice(1)}`];
}
