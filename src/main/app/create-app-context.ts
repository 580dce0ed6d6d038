import type { Notice } from '../../shared/notice';
import { createRuntime, type RuntimeOptions } from '../runtime/runtime';
import { vmOptionsFromSettings } from '../runtime/sandbox-vm-settings';
import { APP_VERSION } from '../services/app-version';
import type { Clock } from '../services/clock';
import type { Logger } from '../services/logger';
import type { SecretBox } from '../services/webhook';
import { createSettingsService, type SettingsBackend } from '../services/settings/settings-service';
import type { AppContext } from './app-context';
import { EventHub } from './event-hub';
import { wireEvents } from './handlers';
import { MfaBroker } from './mfa-broker';
import { closeWebhook } from './webhook-controller';
import { NoticeBoard } from './notices';

export interface AppContextOptions {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  settingsBackend: SettingsBackend;
  /** A problem found while opening the settings file, to show once the window is up. */
  startupNotices?: Notice[];
  openExternal: (url: string) => Promise<void>;
  /** Electron's safeStorage as a SecretBox (src/main/services/webhook/secret-box.ts), for webhook secrets. */
  secretBox?: SecretBox;
  platform?: string;
  testBridge?: boolean;
  /** How often to look at bakes other processes run on this data directory (default 2 s). */
  foreignBakePollMs?: number;
  /** Runtime settings beyond the basics (a sandbox elsewhere, timings, a virtual clock's client hook). */
  runtime?: Partial<Omit<RuntimeOptions, 'dataDir' | 'clock' | 'logger' | 'askMfaCode'>>;
}

/** What wireEvents started for each context (timers among it), stopped on close. */
const unwires = new WeakMap<AppContext, () => void>();

/**
 * Wires the services behind the IPC handlers. The Electron shell and the e2e test bridge both call this, so
 * the bridge exercises exactly what the app runs — only the transport differs.
 */
export function createAppContext(options: AppContextOptions): AppContext {
  const notices = new NoticeBoard();
  const mfa = new MfaBroker();
  const settings = createSettingsService(options.settingsBackend);
  const runtime = createRuntime({
    actor: 'Quadraxis app',
    perRegionLimit: settings.get().bakes.concurrencyPerRegion,
    ...options.runtime,
    dataDir: options.dataDir,
    clock: options.clock,
    logger: options.logger,
    askMfaCode: mfa.ask,
  });
  const ctx: AppContext = {
    version: APP_VERSION,
    platform: options.platform ?? process.platform,
    dataDir: options.dataDir,
    testBridge: options.testBridge ?? false,
    clock: options.clock,
    logger: options.logger,
    hub: new EventHub(options.logger),
    notices,
    settings,
    runtime,
    mfa,
    openExternal: options.openExternal,
    ...(options.secretBox ? { secretBox: options.secretBox } : {}),
    ...(options.foreignBakePollMs ? { foreignBakePollMs: options.foreignBakePollMs } : {}),
  };
  const unwire = wireEvents(ctx);
  const offLimit = settings.onChange((next) =>
    runtime.engine.setPerRegionLimit(next.bakes.concurrencyPerRegion),
  );
  // "Run on a local VM": the Sandbox follows the settings (restarting once idle when they change).
  runtime.sandbox.configure(vmOptionsFromSettings(settings.get().sandbox.vm));
  const offVm = settings.onChange((next) =>
    runtime.sandbox.configure(vmOptionsFromSettings(next.sandbox.vm)),
  );
  unwires.set(ctx, () => {
    offLimit();
    offVm();
    unwire();
  });
  // A file in the data directory that could not be read is set aside by the store; the person hears of it.
  runtime.store.notices.onNotice((notice) =>
    notices.post({
      id: `store-${notice.at}-${notice.file}`,
      level: 'warning',
      title: notice.movedTo ? 'A file was set aside' : 'A file was skipped',
      message: notice.message,
      at: notice.at,
    }),
  );
  for (const notice of options.startupNotices ?? []) {
    notices.post(notice);
    options.logger.warn(notice.message);
  }
  return ctx;
}

/** Stops the webhook listener, then the engine, pollers and sandbox: the order quitting needs. */
export async function closeAppContext(ctx: AppContext): Promise<void> {
  unwires.get(ctx)?.();
  unwires.delete(ctx);
  await closeWebhook(ctx);
  await ctx.runtime.close();
}
