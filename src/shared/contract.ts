import { z } from 'zod';
import { NoticeSchema } from './notice';
import { SettingsPatchSchema, SettingsSchema } from './settings';

/**
 * The one IPC contract between the renderer and main, in the spirit of GitHub Desktop's
 * RequestResponseChannels: every invoke channel has a request and a response schema, every event channel a
 * payload schema. Names are namespaced `area:verb`. The preload builds `window.quadraxis` from the channel
 * names (src/shared/channels.ts); main registers one handler per invoke channel, parses the request, and
 * parses its own response too, so nothing outside the schema (a credential, say) can slip to the renderer.
 */
const NoInput = z.undefined();

export const AppInfoSchema = z.object({
  version: z.string(),
  platform: z.string(),
  dataDir: z.string(),
  /** True when the app runs inside the Playwright test bridge rather than Electron. */
  testBridge: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** https only, and only hosts on the allowlist (src/shared/external-links.ts). */
export const ExternalUrlSchema = z.string().url().max(2048);

export const invokeContract = {
  'app:info': { request: NoInput, response: AppInfoSchema },
  /** The renderer is listening: main flushes events queued since the page (re)loaded. */
  'app:ready': { request: NoInput, response: z.object({ notices: z.array(NoticeSchema) }) },
  'app:open-external': { request: ExternalUrlSchema, response: z.object({ opened: z.boolean() }) },
  'app:dismiss-notice': { request: z.string().max(200), response: z.null() },
  'settings:get': { request: NoInput, response: SettingsSchema },
  'settings:update': { request: SettingsPatchSchema, response: SettingsSchema },
} as const;

export const eventContract = {
  'app:notice': NoticeSchema,
  'settings:changed': SettingsSchema,
} as const;

export type InvokeContract = typeof invokeContract;
export type EventContract = typeof eventContract;
export type InvokeChannel = keyof InvokeContract;
export type EventChannel = keyof EventContract;
export type InvokeRequest<C extends InvokeChannel> = z.input<InvokeContract[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = z.infer<InvokeContract[C]['response']>;
/** What a handler receives: the request after parsing (defaults applied). */
export type ParsedRequest<C extends InvokeChannel> = z.infer<InvokeContract[C]['request']>;
export type EventPayload<C extends EventChannel> = z.infer<EventContract[C]>;
