import { Command, CommanderError, Option } from 'commander';
import { APP_VERSION } from '../main/services/app-version';
import { AppError } from '../shared/result';
import { EXIT_BAD_INPUT, EXIT_FAILURE } from './exit-codes';
import { commands } from './commands';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export function buildProgram(io: CliIO): Command {
  const program = new Command('quadraxis')
    .description('Bake AWS machine images from an init script: waits for the script, never leaks a builder.')
    .version(APP_VERSION, '-V, --version')
    .option(
      '--data-dir <dir>',
      'data directory shared with the app (default: the app’s own; env QUADRAXIS_DATA_DIR)',
    )
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run quadraxis --help for usage)')
    // `deploy --version N` means the project's version: program options are read before the subcommand
    // only, and every subcommand also takes --data-dir (hidden), so it still works after the subcommand too.
    .enablePositionalOptions()
    .exitOverride();
  for (const register of commands) register(program, io);
  for (const command of program.commands) acceptDataDir(command);
  return program;
}

function acceptDataDir(command: Command): void {
  if (!command.options.some((o) => o.long === '--data-dir')) {
    command.addOption(new Option('--data-dir <dir>', 'data directory shared with the app').hideHelp());
  }
  for (const sub of command.commands) acceptDataDir(sub);
}

/** Runs the CLI and returns the exit code; never calls process.exit itself, so it can be tested in-process. */
export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return EXIT_BAD_INPUT;
    }
    if (error instanceof AppError) {
      io.stderr(`error: ${error.message}\n`);
      return error.code === 'INVALID_INPUT' || error.code === 'NOT_FOUND' ? EXIT_BAD_INPUT : EXIT_FAILURE;
    }
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}
