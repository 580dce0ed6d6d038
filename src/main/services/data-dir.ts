import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'Quadraxis';

/**
 * The directory Electron's `app.getPath('userData')` gives an app named "Quadraxis", computed without
 * Electron so the CLI and the app share one data directory by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

/** `--data-dir` wins, then QUADRAXIS_DATA_DIR, then the app's own userData directory. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.QUADRAXIS_DATA_DIR ?? defaultDataDir(env);
}
