import type { Notice } from '../../shared/notice';
import { APP_VERSION } from '../services/app-version';
import type { Clock } from '../services/clock';
import type { Logger } from '../services/logger';
import { createSettingsService, type SettingsBackend } from '../services/settings/settings-service';
import type { AppContext } from './app-context';
import { EventHub } from './event-hub';
import { wireEvents } from './handlers';
import { NoticeBoard } from './notices';

export interface AppContextOptions {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  settingsBackend: SettingsBackend;
  /** A problem found while opening the settings file, to show once the window is up. */
  startupNotices?: Notice[];
  openExternal: (url: string) => Promise<void>;
  platform?: string;
  testBridge?: boolean;
}

/**
 * Wires the services behind the IPC handlers. The Electron shell and the e2e test bridge both call this, so
 * the bridge exercises exactly what the app runs — only the transport differs.
 */
export function createAppContext(options: AppContextOptions): AppContext {
  const notices = new NoticeBoard();
  const ctx: AppContext = {
    version: APP_VERSION,
    platform: options.platform ?? process.platform,
    dataDir: options.dataDir,
    testBridge: options.testBridge ?? false,
    clock: options.clock,
    logger: options.logger,
    hub: new EventHub(options.logger),
    notices,
    settings: createSettingsService(options.settingsBackend),
    openExternal: options.openExternal,
  };
  wireEvents(ctx);
  for (const notice of options.startupNotices ?? []) {
    notices.post(notice);
    options.logger.warn(notice.message);
  }
  return ctx;
}
