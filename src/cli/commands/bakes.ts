import type { Command } from 'commander';
import { BAKE_ID_PATTERN } from '../../shared/bake';
import type { BakeRecord } from '../../shared/bake';
import { PROJECT_NAME_PATTERN } from '../../shared/project';
import { AppError } from '../../shared/result';
import { MAX_BAKE_LIST, RECOVERY_HINT } from '../../main/services/store';
import { openStore } from '../open-store';
import { formatTable, formatTime } from '../table';
import { recoverBakes } from '../bakes-recover';
import type { RegisterCommand } from './index';

interface BakesOptions {
  project?: string;
  limit: string;
  before?: string;
  json?: boolean;
  recover?: boolean;
  mfaCode?: string;
}

export const registerBakes: RegisterCommand = (program, io) => {
  program
    .command('bakes')
    .description('list bakes, newest first; --recover settles the ones whose process is gone')
    .option('--project <name>', 'only this project’s bakes')
    .option('--limit <n>', `how many (1–${MAX_BAKE_LIST})`, '20')
    .option('--before <bakeId>', 'only bakes older than this one (the next page)')
    .option('--json', 'print JSON instead of a table')
    .option(
      '--recover',
      'resume (and follow to the end) or clean up every bake whose process is gone, instead of listing',
    )
    .option('--mfa-code <code>', 'with --recover: MFA code, when a profile needs one (otherwise asked)')
    .addHelpText(
      'after',
      '\nA bake whose process was killed or crashed lists as "interrupted" (marked *; in JSON, with an\n' +
        '"orphaned" field) until something recovers it: --recover, the next `quadraxis bake`, `sweep` or\n' +
        '`serve`, or the app.',
    )
    .action(async (opts: BakesOptions, command: Command) => {
      if (opts.recover) {
        if (opts.project !== undefined || opts.before !== undefined) {
          throw new AppError(
            'INVALID_INPUT',
            '--recover settles every interrupted bake: drop --project and --before.',
          );
        }
        const code = await recoverBakes(command, io, {
          ...(opts.json ? { json: true } : {}),
          ...(opts.mfaCode ? { mfaCode: opts.mfaCode } : {}),
        });
        if (code !== 0) process.exitCode = code;
        return;
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BAKE_LIST) {
        throw new AppError(
          'INVALID_INPUT',
          `--limit must be a whole number from 1 to ${MAX_BAKE_LIST}, not "${opts.limit}".`,
        );
      }
      if (opts.project !== undefined && !PROJECT_NAME_PATTERN.test(opts.project)) {
        throw new AppError('INVALID_INPUT', `--project: "${opts.project}" is not a project name.`);
      }
      if (opts.before !== undefined && !BAKE_ID_PATTERN.test(opts.before)) {
        throw new AppError('INVALID_INPUT', `--before: "${opts.before}" is not a bake id (bk_…).`);
      }
      const bakes = await openStore(command, io).bakes.list({
        project: opts.project,
        limit,
        before: opts.before,
      });
      if (opts.json) return io.stdout(`${JSON.stringify(bakes, null, 2)}\n`);
      if (bakes.length === 0)
        return io.stdout(opts.project ? `No bakes of ${opts.project} yet.\n` : 'No bakes yet.\n');
      // The environment column only when a listed bake names one: projects without environments keep the
      // table they had, and "-" in every row would only be noise.
      const withEnv = bakes.some((b) => b.environment !== undefined);
      io.stdout(
        formatTable(
          [
            'ID',
            'PROJECT',
            ...(withEnv ? ['ENVIRONMENT'] : []),
            'STATUS',
            'STARTED',
            'DURATION',
            'VERSION',
            'AMI',
          ],
          bakes.map((b) => [
            b.id,
            b.project,
            ...(withEnv ? [b.environment ?? '-'] : []),
            b.orphaned ? `${b.status}*` : b.status,
            formatTime(b.startedAt ?? b.createdAt),
            formatDuration(b),
            b.version === undefined ? '-' : `v${b.version}`,
            b.imageId ? `${b.imageId}${b.simulated ? ' (sandbox)' : ''}` : '-',
          ]),
        ),
      );
      const orphans = bakes.filter((b) => b.orphaned);
      if (orphans.length > 0) {
        const which = orphans.length === 1 ? 'The process running it is' : 'The processes running them are';
        io.stdout(`\n* ${which} gone; not recovered yet. ${RECOVERY_HINT}\n`);
      }
    });
};

function formatDuration(bake: BakeRecord): string {
  if (bake.startedAt === undefined || bake.endedAt === undefined) return '-';
  const seconds = Math.round((bake.endedAt - bake.startedAt) / 1000);
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
