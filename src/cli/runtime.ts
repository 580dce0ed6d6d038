import type { Command } from 'commander';
import { createRuntime, type Runtime } from '../main/runtime/runtime';
import type { RecoveryReport } from '../main/services/bake';
import { systemClock } from '../main/services/clock';
import { resolveDataDir } from '../main/services/data-dir';
import type { Logger } from '../main/services/logger';
import { AppError } from '../shared/result';
import { terminalMfa, type TargetFlags } from './aws-session';
import type { CliIO } from './program';

/** The same services the app runs on (createRuntime), wired for a terminal: MFA prompts, warnings on stderr. */
export function cliRuntime(command: Command, io: CliIO, flags: TargetFlags & { mfaCode?: string }): Runtime {
  const { dataDir } = command.optsWithGlobals<{ dataDir?: string }>();
  const poll = pollInterval(io.env);
  return createRuntime({
    dataDir: resolveDataDir(dataDir, io.env),
    clock: systemClock,
    logger: stderrLogger(io),
    actor: 'quadraxis CLI',
    env: io.env,
    askMfaCode: terminalMfa(flags.mfaCode),
    ...(poll ? { pollIntervalMs: poll } : {}),
  });
}

export function printRecovery(io: CliIO, report: RecoveryReport): void {
  for (const bake of report.bakes) {
    io.stderr(
      `Recovered ${bake.bakeId} (${bake.project}) from an earlier run that stopped: ${bake.outcome}. ${bake.message}\n`,
    );
  }
}

/** QUADRAXIS_POLL_MS sets the engine's base tick, which its look schedules scale with (default 2000 ms). */
export function pollInterval(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.QUADRAXIS_POLL_MS;
  if (raw === undefined) return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 50 || ms > 60_000) {
    throw new AppError(
      'INVALID_INPUT',
      `QUADRAXIS_POLL_MS must be a whole number of milliseconds from 50 to 60000, not "${raw}".`,
    );
  }
  return ms;
}

export function stderrLogger(io: CliIO): Logger {
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    io.stderr(`${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  return { debug: () => undefined, info: () => undefined, warn: line('warning'), error: line('error') };
}
