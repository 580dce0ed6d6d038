import { join } from 'node:path';
import { app, dialog, nativeTheme, safeStorage, session, shell, type BrowserWindow } from 'electron';
import { systemClock } from '../services/clock';
import { openLogFile } from '../services/log-file';
import { createLogger, type Logger } from '../services/logger';
import { quarantineUnreadableSettings } from '../services/settings/settings-service';
import { createAppContext } from '../app/create-app-context';
import { safeStorageBox } from '../services/webhook';
import { createHandlers } from '../app/handlers';
import { recoverInterruptedBakes } from '../app/startup';
import { notifyFinishedBakes } from './bake-notifications';
import { guardQuit } from './quit-guard';
import { APP_ORIGIN, registerAppScheme, serveAppProtocol } from './app-protocol';
import { rendererUrl } from './renderer-url';
import { createSenderCheck, registerIpc, webContentsTarget } from './ipc';
import { denyPermissions, guardWebContents } from './security';
import { electronStoreBackend, SETTINGS_FILE_NAME } from './settings-store';
import { createMainWindow, windowStateOf } from './window';

/** Same protocol and host as the page the window loads: navigation and IPC senders are judged by it. */
function sameOrigin(url: string, ours: string): boolean {
  try {
    const target = new URL(url);
    const page = new URL(ours);
    return target.protocol === page.protocol && target.host === page.host;
  } catch {
    return false;
  }
}

/**
 * Webhook secrets are sealed with the OS keychain through safeStorage — except where that would be plain text
 * (Linux without a keyring falls back to a hard-coded key, which Signal also refuses); then the webhook uses
 * its owner-only key file, like `quadraxis serve`.
 */
function osSecretBox() {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
    return undefined;
  return safeStorageBox(safeStorage);
}

/** logs/main.log, size-capped with a few rotated generations beside it (see openLogFile). */
function openLog(dataDir: string): Logger {
  const file = openLogFile(join(dataDir, 'logs', 'main.log'));
  return createLogger((line) => file.write(line));
}

export function startApp(): void {
  registerAppScheme();
  if (!app.requestSingleInstanceLock()) {
    // Two app instances would race on the same settings and bakes; the first one gets focus instead.
    app.quit();
    return;
  }
  if (process.env.QUADRAXIS_DATA_DIR) app.setPath('userData', process.env.QUADRAXIS_DATA_DIR);

  const windows = new Set<BrowserWindow>();
  let logger: Logger | undefined;
  const pageUrl = rendererUrl(process.env.ELECTRON_RENDERER_URL, app.isPackaged, `${APP_ORIGIN}/index.html`);
  const isAppUrl = (url: string) => sameOrigin(url, pageUrl);

  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, isAppUrl, (message) => logger?.warn(message));
  });

  app.on('second-instance', () => {
    const [window] = windows;
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app
    .whenReady()
    .then(() => {
      const dataDir = app.getPath('userData');
      logger = openLog(dataDir);
      if (process.env.ELECTRON_RENDERER_URL && pageUrl.startsWith(APP_ORIGIN))
        logger.warn('ELECTRON_RENDERER_URL ignored: only an unpackaged app loads a loopback dev server', {
          url: process.env.ELECTRON_RENDERER_URL,
        });
      const settingsNotice = quarantineUnreadableSettings(
        join(dataDir, `${SETTINGS_FILE_NAME}.json`),
        systemClock,
      );
      const ctx = createAppContext({
        dataDir,
        clock: systemClock,
        logger,
        settingsBackend: electronStoreBackend(dataDir),
        startupNotices: settingsNotice ? [settingsNotice] : [],
        openExternal: (url) => shell.openExternal(url),
        secretBox: osSecretBox(),
      });
      const { settings } = ctx;
      nativeTheme.themeSource = settings.get().theme;
      settings.onChange((next) => (nativeTheme.themeSource = next.theme));

      denyPermissions(session.defaultSession);
      serveAppProtocol(join(__dirname, '../renderer'));
      registerIpc(
        createHandlers(ctx),
        createSenderCheck(() => [...windows].map((w) => w.webContents), isAppUrl),
        logger,
      );

      const openWindow = () => {
        const window = createMainWindow({
          preloadDir: join(__dirname, '../preload'),
          windowState: settings.get().window,
          backgroundColor: nativeTheme.shouldUseDarkColors ? '#1a1b1e' : '#ffffff',
        });
        windows.add(window);
        const contents = window.webContents;
        const id = contents.id;
        ctx.hub.attach(webContentsTarget(contents));
        contents.on('did-start-navigation', (details) => {
          if (details.isMainFrame && !details.isSameDocument) ctx.hub.markLoading(id);
        });
        // The renderer's beforeunload (unsaved edits) would otherwise make the close button do nothing at all.
        contents.on('will-prevent-unload', (event) => {
          const choice = dialog.showMessageBoxSync(window, {
            type: 'question',
            buttons: ['Close anyway', 'Keep editing'],
            defaultId: 1,
            cancelId: 1,
            message: 'You have unsaved changes.',
            detail: 'They are kept as a draft and offered again when you open the project next time.',
          });
          if (choice === 0) event.preventDefault();
        });
        window.on('close', () => settings.replace({ ...settings.get(), window: windowStateOf(window) }));
        window.on('closed', () => {
          windows.delete(window);
          ctx.hub.detach(id);
        });
        void window.loadURL(pageUrl);
      };
      openWindow();
      notifyFinishedBakes(ctx);
      guardQuit(ctx, () => [...windows][0]);
      void recoverInterruptedBakes(ctx);
      app.on('activate', () => {
        if (windows.size === 0) openWindow();
      });
    })
    .catch((error: unknown) => {
      // Without this a failed start leaves a process with no window and no word: say why, then go.
      const message = error instanceof Error ? error.message : String(error);
      logger?.error('Quadraxis could not start', { error: message });
      dialog.showErrorBox('Quadraxis could not start', message);
      app.exit(1);
    });
}
