import type { Command } from 'commander';
import type { Deployment } from '../../shared/deploy';
import { PROJECT_NAME_PATTERN } from '../../shared/project';
import { AppError } from '../../shared/result';
import { openStore } from '../open-store';
import { formatTable, formatTime } from '../table';
import type { RegisterCommand } from './index';

interface DeploymentsOptions {
  limit: string;
  json?: boolean;
}

const MAX = 500;

export const registerDeployments: RegisterCommand = (program, io) => {
  program
    .command('deployments')
    .description(
      'list a project’s deployments, newest first: who deployed which version to which group, how it ended',
    )
    .argument('<project>', 'project name in the data directory')
    .option('--limit <n>', `how many (1–${MAX})`, '20')
    .option('--json', 'print JSON instead of a table')
    .action(async (project: string, opts: DeploymentsOptions, command: Command) => {
      if (!PROJECT_NAME_PATTERN.test(project))
        throw new AppError('INVALID_INPUT', `"${project}" is not a project name.`);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX) {
        throw new AppError(
          'INVALID_INPUT',
          `--limit must be a whole number from 1 to ${MAX}, not "${opts.limit}".`,
        );
      }
      const deployments = await openStore(command, io).deployments.list(project, { limit });
      if (opts.json) return io.stdout(`${JSON.stringify(deployments, null, 2)}\n`);
      if (deployments.length === 0) return io.stdout(`No deployments of ${project} yet.\n`);
      io.stdout(
        formatTable(
          ['ID', 'STARTED', 'VERSION', 'GROUP', 'REGION', 'STATUS', 'BY', 'AMI'],
          deployments.map((d) => [
            d.id,
            formatTime(d.createdAt),
            versionLabel(d),
            d.group,
            d.region,
            `${d.status}${d.refresh ? ` (${d.refresh.status})` : ''}`,
            `${d.by.user}@${d.by.host} via ${d.by.actor}`,
            `${d.imageId}${d.simulated ? ' (sandbox)' : ''}`,
          ]),
        ),
      );
    });
};

function versionLabel(d: Deployment): string {
  const v = d.version === undefined ? '-' : `v${d.version}`;
  return d.kind === 'rollback' ? `${v} (rollback)` : v;
}
