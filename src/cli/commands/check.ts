import type { Command } from 'commander';
import { checkPermissions } from '../../main/services/aws/permissions';
import type { PermissionReport } from '../../shared/aws';
import {
  BUILDER_ROLE_STATUS_LABELS,
  builderRoleScope,
  builderRoleSummary,
} from '../../shared/builder-role-words';
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
    .description(
      'dry-run every AWS call a bake of the project makes and ask IAM whether the builder’s role may read the env references; exit 1 if any is denied or fails',
    );
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
      else {
        printReport(io, project.name, report);
        printBuilderRole(io, report, policyCommand(name, flags.file));
      }
      const failed = report.results.filter((r) => r.status !== 'allowed' && r.status !== 'unchecked');
      const roles = (report.builderRole ?? []).filter(
        (c) => c.status !== 'allowed' && c.status !== 'unchecked',
      );
      if (failed.length > 0 || roles.length > 0) {
        const denied = failed.some((r) => r.status === 'denied') || roles.some((c) => c.status !== 'error');
        throw new AppError(
          denied ? 'ACCESS_DENIED' : 'AWS_ERROR',
          [
            failed.length > 0
              ? `${failed.length} of ${report.results.length} actions would fail: ${failed.map((r) => r.action).join(', ')}.`
              : '',
            ...roles.map(
              (c) => `The builder's instance role for ${builderRoleScope(c.scope)}: ${builderRoleSummary(c)}`,
            ),
          ]
            .filter(Boolean)
            .join('\n'),
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

/** How to print the instance-role policy of the project this check read. */
function policyCommand(name: string | undefined, file: string | undefined): string {
  return `quadraxis policy ${file ? `--file ${file}` : (name ?? '')} --instance-role`;
}

/** The builder's instance role: one block per check, one row per referenced read (names and ARNs only). */
function printBuilderRole(io: CliIO, report: PermissionReport, policy: string): void {
  const checks = report.builderRole ?? [];
  if (checks.length === 0) return;
  io.stdout("\nBuilder's instance role (reads the env references on the builder)\n");
  for (const check of checks) {
    const who = builderRoleScope(check.scope);
    const profile = check.profile ? `instance profile ${check.profile}` : 'no instance profile';
    io.stdout(
      `\n${who[0]!.toUpperCase()}${who.slice(1)}: ${profile}${check.roleArn ? `, role ${check.roleArn}` : ''}\n`,
    );
    const lines = [
      `${BUILDER_ROLE_STATUS_LABELS[check.status].toLowerCase()}: ${builderRoleSummary(check)}\n`,
    ];
    if (check.reads.length > 0)
      lines.push(
        formatTable(
          ['VARIABLE', 'REFERENCE', 'ACTION', 'RESOURCE', 'IAM SAYS'],
          check.reads.map((r) => [
            r.variable,
            r.reference,
            r.action,
            r.resource,
            r.decision ?? r.problem ?? '-',
          ]),
        ),
      );
    const env =
      !check.scope.project && check.scope.environments.length > 0
        ? ` --env ${check.scope.environments[0]}`
        : '';
    if (check.status !== 'allowed') lines.push(`The policy the role needs: ${policy}${env}\n`);
    io.stdout(lines.join('').replace(/^/gm, '  ').replace(/ +$/, ''));
  }
}
