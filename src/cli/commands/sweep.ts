import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { SweepCandidate, SweepReport } from '../../main/services/bake';
import { AppError } from '../../shared/result';
import type { CliIO } from '../program';
import { formatTable, formatTime } from '../table';
import { cliRuntime, printRecovery } from '../runtime';
import type { RegisterCommand } from './index';
import type { TargetFlags } from '../aws-session';

interface SweepFlags extends TargetFlags {
  yes?: boolean;
  json?: boolean;
  mfaCode?: string;
}

export const registerSweep: RegisterCommand = (program, io) => {
  program
    .command('sweep')
    .description('find builder instances no running bake owns (left by crashes) and terminate them')
    .option(
      '--profile <profile>',
      'AWS profile (default: as the AWS CLI picks it; "sandbox" for the simulator)',
    )
    .option('--region <region>', 'region (default: the profile’s)')
    .option(
      '--endpoint <url>',
      'send every call to this endpoint (a running `quadraxis sandbox`, LocalStack)',
    )
    .option('--yes', 'terminate without asking')
    .option('--json', 'print the report as JSON')
    .option('--mfa-code <code>', 'MFA code, when the profile needs one (otherwise asked on the terminal)')
    .action(async (flags: SweepFlags, command: Command) => {
      const runtime = cliRuntime(command, io, flags);
      let report: SweepReport;
      try {
        printRecovery(io, await runtime.engine.recover());
        const profile = flags.profile ?? (await runtime.aws.profiles()).currentProfile;
        if (!profile)
          throw new AppError(
            'INVALID_INPUT',
            'No AWS profile chosen and no default profile: pass --profile.',
          );
        report = await runtime.engine.sweep({
          profile,
          ...(flags.region ? { region: flags.region } : {}),
          ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
          confirm: (found) => confirm(io, found, flags),
        });
      } finally {
        await runtime.close();
      }
      if (flags.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(io, report);
      if (report.failed.length > 0) {
        throw new AppError(
          'AWS_ERROR',
          `Could not terminate ${report.failed.map((f) => `${f.instanceId} (${f.message})`).join(', ')}.`,
        );
      }
    });
};

async function confirm(io: CliIO, found: SweepCandidate[], flags: SweepFlags): Promise<boolean> {
  if (flags.yes) return true;
  if (!flags.json) io.stdout(candidatesTable(found));
  if (!process.stdin.isTTY) {
    io.stderr(
      `Not terminating ${found.length} builder${found.length === 1 ? '' : 's'}: run again with --yes to do it.\n`,
    );
    return false;
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(
      `Terminate ${found.length} builder${found.length === 1 ? '' : 's'}? [y/N] `,
    );
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

function candidatesTable(found: SweepCandidate[]): string {
  return formatTable(
    ['INSTANCE', 'STATE', 'BAKE', 'PROJECT', 'LAUNCHED'],
    found.map((c) => [c.instanceId, c.state, c.bakeId ?? '-', c.project ?? '-', formatTime(c.launchedAt)]),
  );
}

function printReport(io: CliIO, report: SweepReport): void {
  const owned = report.owned.length > 0 ? ` (${report.owned.length} more belong to bakes still running)` : '';
  if (report.found.length === 0) {
    io.stdout(`No orphaned builders in ${report.region}${owned}.\n`);
    return;
  }
  if (report.confirmed)
    io.stdout(
      `Terminated ${report.terminated.length} orphaned builder(s) in ${report.region}${owned}: ${report.terminated.join(', ')}\n`,
    );
}
