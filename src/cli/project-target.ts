import type { Command } from 'commander';
import { AppError } from '../shared/result';
import type { TargetFlags } from './commands/profiles';

export interface ProjectTargetFlags extends TargetFlags {
  file?: string;
}

/** `[project]` or --file, then --profile and --region: what a command that works on one project in AWS takes. */
export function projectTargetOptions(command: Command): Command {
  return command
    .argument('[project]', 'project name in the data directory')
    .option('--file <file>', 'read the project from a YAML or JSON file instead')
    .option(
      '--profile <profile>',
      'AWS profile (default: as the AWS CLI picks it; "sandbox" for the simulator)',
    )
    .option('--region <region>', 'region (default: the project’s, else the profile’s)');
}

/** A profile that does not exist is a typo on the command line, like a bad flag (exit 2, not 1). */
export function unknownProfileAsBadInput(error: unknown): unknown {
  if (error instanceof AppError && error.details?.reason === 'unknown-profile') {
    return new AppError('INVALID_INPUT', error.message, error.details);
  }
  return error;
}
