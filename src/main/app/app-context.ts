import type { Runtime } from '../runtime/runtime';
import type { Clock } from '../services/clock';
import type { Logger } from '../services/logger';
import type { SecretBox } from '../services/webhook';
import type { SettingsService } from '../services/settings/settings-service';
import type { EventHub } from './event-hub';
import type { MfaBroker } from './mfa-broker';
import type { NoticeBoard } from './notices';

/**
 * Everything the IPC handlers need, wired once by the Electron shell (src/main/electron/main.ts) and, with
 * the same services, by the Playwright test bridge (tests/bridge/server.ts). Nothing here imports electron:
 * the shell passes in what only Electron can do (open a URL in the browser, encrypt a secret).
 */
export interface AppContext {
  version: string;
  platform: string;
  dataDir: string;
  testBridge: boolean;
  clock: Clock;
  logger: Logger;
  hub: EventHub;
  notices: NoticeBoard;
  settings: SettingsService;
  /** Store, bake engine, AWS access and sandbox: the same services the CLI and webhook server run. */
  runtime: Runtime;
  mfa: MfaBroker;
  openExternal: (url: string) => Promise<void>;
  /** Seals webhook secrets: Electron's safeStorage in the app; absent, the webhook uses an owner-only key file. */
  secretBox?: SecretBox;
  /** How often to look for progress of bakes other processes run (default FOREIGN_BAKE_POLL_MS); tests shorten it. */
  foreignBakePollMs?: number;
}
