import type { EventChannel, InvokeChannel } from './contract';

/**
 * Channel names only, so the sandboxed preload can build `window.quadraxis` without bundling zod.
 * The `satisfies` clauses and tests/unit/foundation/contract.test.ts keep these lists and the contract equal.
 */
export const INVOKE_CHANNELS = [
  'app:info',
  'app:ready',
  'app:open-external',
  'app:dismiss-notice',
  'settings:get',
  'settings:update',
] as const satisfies readonly InvokeChannel[];

export const EVENT_CHANNELS = ['app:notice', 'settings:changed'] as const satisfies readonly EventChannel[];

/** `bake:start` → ['bake', 'start']; `settings:changed` → ['settings', 'onChanged'] for events. */
export function apiPath(channel: string, kind: 'invoke' | 'event'): [string, string] {
  const [area, verb] = channel.split(':') as [string, string];
  const camel = verb.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return [area, kind === 'invoke' ? camel : `on${camel.charAt(0).toUpperCase()}${camel.slice(1)}`];
}
