import type { Command } from 'commander';
import { checkPermissions } from '../../main/services/aws/permissions';
import type { PermissionReport } from '../../shared/aws';
import { AppError } from '../../shared/result';
import type { CliIO } from '../program';
import { projectTargetOptions, unknownProfileAsBadInput, type ProjectTargetFlags } from '../project-target';
import { formatTable } from '../table';
import type { RegisterCommand } from './index';
import { loadProject } from '../project-target';
import { cliAwsSession } from '../aws-session';

interface CheckFlags extends ProjectTargetFlags {
  mfaCode?: string;
  json?: boolean;
}

export const registerCheck: RegisterCommand = (program, io) => {
  const check = program
    .command('check')
    .description('dry-run every AWS call a bake of the project makes; exit 1 if any is denied or fails');
  projectTargetOptions(check)
    .option('--endpoint <url>', 'send every call to this endpoint (LocalStack and the like)')
    .option('--mfa-code <code>', 'MFA code, when the profile needs one (otherwise asked on the terminal)')
    .option('--json', 'print the report as JSON')
    .action(async (name: string | undefined, flags: CheckFlags, command: Command) => {
      const project = await loadProject(command, io, name, flags.file);
      const session = cliAwsSession(io, flags.mfaCode ? { mfaCode: flags.mfaCode } : {});
      let report: PermissionReport;
      try {
        const region = flags.region ?? project.region;
        const target = {
          ...(flags.profile ? { profile: flags.profile } : {}),
          ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
        };
        const clients = await session.connect({ ...target, ...(region ? { region } : {}) });
        // A distributing project's copies and keys are checked in their own regions.
        report = await checkPermissions(clients, project, undefined, {
          regionClients: (other) => session.connect({ ...target, region: other }),
        });
      } catch (error) {
        throw unknownProfileAsBadInput(error);
      } finally {
        await session.close();
      }
      if (flags.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(io, project.name, report);
      const failed = report.results.filter((r) => r.status !== 'allowed' && r.status !== 'unchecked');
      if (failed.length > 0) {
        throw new AppError(
          failed.some((r) => r.status === 'denied') ? 'ACCESS_DENIED' : 'AWS_ERROR',
          `${failed.length} of ${report.results.length} actions would fail: ${failed.map((r) => r.action).join(', ')}.`,
        );
      }
    });
};

function printReport(io: CliIO, project: string, report: PermissionReport): void {
  const { target, identity, baseImage } = report;
  io.stdout(
    `Project ${project} as ${identity.arn} (profile ${target.profile}, ${target.region}${target.simulated ? ', simulated' : ''})\n`,
  );
  if (baseImage) io.stdout(`Base image ${baseImage.imageId} ${baseImage.name} (${baseImage.architecture})\n`);
  io.stdout('\n');
  io.stdout(
    formatTable(
      ['ACTION', 'RESULT', 'DETAIL'],
      report.results.map((r) => [
        r.action,
        r.status,
        [r.code, r.message, r.note].filter(Boolean).join(': ') || '',
      ]),
    ),
  );
}
