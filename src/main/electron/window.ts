import { join } from 'node:path';
import { BrowserWindow, screen, type BrowserWindowConstructorOptions } from 'electron';
import type { Settings } from '../../shared/settings';

export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webviewTag: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const satisfies BrowserWindowConstructorOptions['webPreferences'];

/** Restores the last bounds only when they still fit on a connected display (monitors come and go). */
function restoredBounds(
  state: Settings['window'],
): Partial<Pick<BrowserWindowConstructorOptions, 'x' | 'y' | 'width' | 'height'>> {
  const bounds = state.bounds;
  if (!bounds) return { width: 1280, height: 820 };
  const visible = screen
    .getAllDisplays()
    .some(
      ({ workArea: a }) =>
        bounds.x < a.x + a.width &&
        bounds.x + bounds.width > a.x &&
        bounds.y < a.y + a.height &&
        bounds.y + bounds.height > a.y,
    );
  return visible ? bounds : { width: bounds.width, height: bounds.height };
}

export function createMainWindow(options: {
  preloadDir: string;
  windowState: Settings['window'];
  backgroundColor: string;
}): BrowserWindow {
  const window = new BrowserWindow({
    ...restoredBounds(options.windowState),
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Quadraxis',
    backgroundColor: options.backgroundColor,
    autoHideMenuBar: true,
    webPreferences: { ...WEB_PREFERENCES, preload: join(options.preloadDir, 'index.cjs') },
  });
  if (options.windowState.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  return window;
}

export function windowStateOf(window: BrowserWindow): Settings['window'] {
  return { bounds: window.getNormalBounds(), maximized: window.isMaximized() };
}
