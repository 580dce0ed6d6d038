import type { Command } from 'commander';
import { DEPLOY_ID_PATTERN } from '../../shared/deploy';
import { AppError } from '../../shared/result';
import { EXIT_OK } from '../exit-codes';
import { cliRuntime } from '../runtime';
import { follow } from '../deploy-follow';
import type { RegisterCommand } from './index';

interface RollbackFlags {
  json?: boolean;
  mfaCode?: string;
}

export const registerRollback: RegisterCommand = (program, io) => {
  program
    .command('rollback')
    .description(
      'roll a deployment back: during its refresh, or afterwards by returning the group to what it ran before',
    )
    .argument('<deployment>', 'deployment id (dp_…), as `quadraxis deployments` lists them')
    .option('--json', 'print one deploy event per line (JSON) instead of text')
    .option('--mfa-code <code>', 'MFA code, when the profile needs one (otherwise asked on the terminal)')
    .addHelpText(
      'after',
      '\nExit codes: 0 the group is back, 1 it is not (or it was refused), 2 bad input, 130 after Ctrl-C.',
    )
    .action(async (id: string, flags: RollbackFlags, command: Command) => {
      if (!DEPLOY_ID_PATTERN.test(id))
        throw new AppError('INVALID_INPUT', `"${id}" is not a deployment id (dp_…).`);
      const interrupt = new AbortController();
      const onSignal = () => interrupt.abort();
      process.once('SIGINT', onSignal);
      const runtime = cliRuntime(command, io, flags);
      try {
        // A deployment left running by a process that stopped is taken over first, so it can be rolled back here.
        await runtime.deploy.recover();
        const code = await follow(io, runtime, flags.json === true, interrupt.signal, async () => {
          const rolled = await runtime.deploy.rollback(id, { trigger: 'cli' });
          return rolled;
        });
        if (code !== EXIT_OK) process.exitCode = code;
      } finally {
        process.off('SIGINT', onSignal);
        await runtime.close();
      }
    });
};
