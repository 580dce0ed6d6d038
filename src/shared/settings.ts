import { z } from 'zod';
import { RegionSchema, ScriptTimeoutMinutesSchema } from './project';

/**
 * Settings the app keeps between runs (electron-store, in the Electron shell). Versioned: a file written by
 * an older version is migrated step by step (src/main/services/settings/migrations.ts) before validation.
 * Nothing secret ever goes here.
 */
export const SETTINGS_SCHEMA_VERSION = 2;

export const ThemeSchema = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof ThemeSchema>;

export const WindowStateSchema = z.object({
  bounds: z
    .object({
      x: z.number().int(),
      y: z.number().int(),
      width: z.number().int().min(400),
      height: z.number().int().min(300),
    })
    .optional(),
  maximized: z.boolean().default(false),
});

/** A path on this computer: the VM image (a `npm run vm:image` directory or a cloud image file). */
const LocalPathSchema = z.string().max(4096);

export const SandboxVmSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  image: LocalPathSchema.default(''),
  /** Replaces the kernel command line of an image directory's kernel; empty keeps the image's own. */
  kernelArgs: z.string().max(2048).default(''),
  /** Guests may reach Debian's package mirror (and nothing else) through the Sandbox's proxy. */
  mirror: z.boolean().default(false),
  maxVms: z.number().int().min(1).max(16).default(2),
});
export type SandboxVmSettings = z.infer<typeof SandboxVmSettingsSchema>;
const SANDBOX_VM_DEFAULTS: SandboxVmSettings = {
  enabled: false,
  image: '',
  kernelArgs: '',
  mirror: false,
  maxVms: 2,
};

/**
 * Where the world reaches the webhook listener, when that is not its own address: a reverse proxy's or
 * tunnel's http(s) URL, optionally with a path prefix. Hook URLs and each 202's Location are built from it.
 */
export const WebhookPublicUrlSchema = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/, 'An http:// or https:// URL without ? or #.');

/** PEM files for HTTPS; both empty: plain HTTP. */
export const WebhookTlsSchema = z.object({
  certFile: z.string().max(4096),
  keyFile: z.string().max(4096),
});

/** Where the webhook listens unless told otherwise: the app's settings and `quadraxis serve` alike. */
export const DEFAULT_WEBHOOK_PORT = 8787;

const WEBHOOK_DEFAULTS = {
  enabled: false,
  host: '127.0.0.1',
  port: DEFAULT_WEBHOOK_PORT,
  tls: { certFile: '', keyFile: '' },
  publicUrl: '',
  insecure: false,
};

export const SettingsSchema = z.object({
  schemaVersion: z.literal(SETTINGS_SCHEMA_VERSION),
  /** The AWS profile chosen last; `sandbox` is the built-in simulator. */
  profile: z.string().min(1).max(128).optional(),
  region: RegionSchema.optional(),
  theme: ThemeSchema.default('system'),
  window: WindowStateSchema.default({ maximized: false }),
  bakes: z
    .object({
      concurrencyPerRegion: z.number().int().min(1).max(50).default(4),
      scriptTimeoutMinutes: ScriptTimeoutMinutesSchema.default(30),
      notifyWhenDone: z.boolean().default(true),
    })
    .default({ concurrencyPerRegion: 4, scriptTimeoutMinutes: 30, notifyWhenDone: true }),
  webhook: z
    .object({
      enabled: z.boolean().default(false),
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(1024).max(65535).default(DEFAULT_WEBHOOK_PORT),
      tls: WebhookTlsSchema.default(WEBHOOK_DEFAULTS.tls),
      /** Empty: the listener's own address. */
      publicUrl: z.union([z.literal(''), WebhookPublicUrlSchema]).default(''),
      /** Plain HTTP beyond this computer: only when a TLS proxy in front is the only way in. */
      insecure: z.boolean().default(false),
    })
    .default(WEBHOOK_DEFAULTS),
  /** The Sandbox profile's real-VM mode ("Run on a local VM"): its image's AMI boots QEMU VMs. */
  sandbox: z
    .object({ vm: SandboxVmSettingsSchema.default(SANDBOX_VM_DEFAULTS) })
    .default({ vm: SANDBOX_VM_DEFAULTS }),
});
export type Settings = z.infer<typeof SettingsSchema>;

export function defaultSettings(): Settings {
  return SettingsSchema.parse({ schemaVersion: SETTINGS_SCHEMA_VERSION });
}

/**
 * What the renderer may change: any subset, and nothing else (window state is main's business). Written out
 * without defaults on purpose — a patch that fills in defaults would reset every field it does not mention.
 */
export const SettingsPatchSchema = z
  .object({
    profile: z.string().min(1).max(128).nullable(),
    region: RegionSchema.nullable(),
    theme: ThemeSchema,
    bakes: z
      .object({
        concurrencyPerRegion: z.number().int().min(1).max(50),
        scriptTimeoutMinutes: ScriptTimeoutMinutesSchema,
        notifyWhenDone: z.boolean(),
      })
      .partial()
      .strict(),
    webhook: z
      .object({
        enabled: z.boolean(),
        host: z.string().min(1).max(255),
        port: z.number().int().min(1024).max(65535),
        tls: WebhookTlsSchema.strict(),
        publicUrl: z.union([z.literal(''), WebhookPublicUrlSchema]),
        insecure: z.boolean(),
      })
      .partial()
      .strict(),
    sandbox: z
      .object({
        vm: z
          .object({
            enabled: z.boolean(),
            image: LocalPathSchema,
            kernelArgs: z.string().max(2048),
            mirror: z.boolean(),
            maxVms: z.number().int().min(1).max(16),
          })
          .partial()
          .strict(),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
