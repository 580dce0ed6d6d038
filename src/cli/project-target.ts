import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { parseProjectText } from '../main/services/store';
import type { Project } from '../shared/project';
import { AppError } from '../shared/result';
import { openStore } from './open-store';
import type { CliIO } from './program';
import type { TargetFlags } from './aws-session';

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

/** A project named in the data directory, or read from --file (validated by the store's own parser). */
export async function loadProject(
  command: Command,
  io: CliIO,
  name?: string,
  file?: string,
): Promise<Project> {
  if (name !== undefined && file !== undefined) {
    throw new AppError('INVALID_INPUT', 'Give a project name or --file, not both.');
  }
  if (file !== undefined) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new AppError(
        error.code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_INPUT',
        `Cannot read ${file}: ${error.message}`,
      );
    });
    return parseProjectText(text, { source: basename(file) });
  }
  if (name === undefined) throw new AppError('INVALID_INPUT', 'Give a project name or --file <file>.');
  const entry = await openStore(command, io).projects.get(name);
  if (!entry) throw new AppError('NOT_FOUND', `No project named "${name}".`);
  return entry.project;
}
