import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import type { Settings } from '../../../shared/settings';
import type { SettingsBackend } from './settings-service';

/** The same file format electron-store writes, for the CLI-side test bridge that runs without Electron. */
export function jsonFileSettingsBackend(file: string): SettingsBackend {
  return {
    read() {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as unknown;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw error;
      }
    },
    write(settings: Settings) {
      writeFileAtomic.sync(file, `${JSON.stringify(settings, null, '\t')}\n`, { mode: 0o600 });
    },
  };
}
