import type { Command } from 'commander';
import { systemClock } from '../main/services/clock';
import { resolveDataDir } from '../main/services/data-dir';
import { createStore } from '../main/services/store';
import type { Store } from '../main/services/store';
import type { CliIO } from './program';

/** The store the CLI shares with the app: `--data-dir`, then QUADRAXIS_DATA_DIR, then the app's own. */
export function openStore(command: Command, io: CliIO): Store {
  const { dataDir } = command.optsWithGlobals<{ dataDir?: string }>();
  return createStore({
    dataDir: resolveDataDir(dataDir, io.env),
    clock: systemClock,
    actor: 'quadraxis CLI',
    logger: { warn: (message) => io.stderr(`warning: ${message}\n`) },
  });
}
