import { ipcMain } from 'electron';
import Store from 'electron-store';
import type { Settings } from '../../shared/settings';
import type { SettingsBackend } from '../services/settings/settings-service';

export const SETTINGS_FILE_NAME = 'settings';

/**
 * electron-store as a plain persistence backend: validation, defaults and migrations are ours (zod, in
 * src/main/services/settings), so a bad file is backed up and reported instead of being cleared silently.
 */
export function electronStoreBackend(dataDir: string): SettingsBackend {
  const store = new Store<Record<string, unknown>>({
    name: SETTINGS_FILE_NAME,
    cwd: dataDir,
    // Like everything in the data directory: the user's alone (electron-store's default is 0666 less umask).
    configFileMode: 0o600,
  });
  // electron-store answers a synchronous IPC channel for renderer-side stores; ours has no use for it.
  ipcMain.removeAllListeners('electron-store-get-data');
  return {
    read: () => store.store,
    write: (settings: Settings) => {
      store.store = settings;
    },
  };
}
