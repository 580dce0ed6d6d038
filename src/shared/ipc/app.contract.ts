import { z } from 'zod';
import { NoticeSchema } from '../notice';
import { SettingsPatchSchema, SettingsSchema } from '../settings';
import { NoInput } from './common';

export const AppInfoSchema = z.object({
  version: z.string(),
  platform: z.string(),
  dataDir: z.string(),
  /** True when the app runs inside the Playwright test bridge rather than Electron. */
  testBridge: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** https only, and only hosts on the allowlist (src/shared/external-links.ts), checked again in main. */
export const ExternalUrlSchema = z.string().url().max(2048);

export const appInvoke = {
  'app:info': { request: NoInput, response: AppInfoSchema },
  /** The renderer is listening: main flushes events queued since the page (re)loaded. */
  'app:ready': { request: NoInput, response: z.object({ notices: z.array(NoticeSchema) }) },
  'app:open-external': { request: ExternalUrlSchema, response: z.object({ opened: z.boolean() }) },
  'app:dismiss-notice': { request: z.string().max(200), response: z.null() },
  'settings:get': { request: NoInput, response: SettingsSchema },
  'settings:update': { request: SettingsPatchSchema, response: SettingsSchema },
} as const;

export const appEvents = {
  'app:notice': NoticeSchema,
  'settings:changed': SettingsSchema,
} as const;
