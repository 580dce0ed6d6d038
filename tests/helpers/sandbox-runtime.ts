import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/main/runtime/runtime';
import { systemClock } from '../../src/main/services/clock';
import { silentLogger } from '../../src/main/services/logger';

/**
 * A runtime on `dataDir` that sees only the Sandbox: an empty AWS config of its own (never the machine's),
 * real time, silent. What the CLI or `quadraxis serve` would run beside the app, for tests.
 */
export function sandboxRuntime(
  dataDir: string,
  options: { actor: string; seed: string } & Partial<Omit<RuntimeOptions, 'dataDir' | 'actor'>>,
): Runtime {
  const { seed, sandbox, ...rest } = options;
  const awsConfig = join(dataDir, `aws-config-${seed}`);
  writeFileSync(awsConfig, '');
  return createRuntime({
    dataDir,
    clock: systemClock,
    logger: silentLogger,
    env: { AWS_CONFIG_FILE: awsConfig, AWS_SHARED_CREDENTIALS_FILE: awsConfig },
    ...rest,
    sandbox: { ...sandbox, seed },
  });
}
