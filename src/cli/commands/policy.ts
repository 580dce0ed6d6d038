import type { Command } from 'commander';
import { generatePolicy } from '../../main/services/aws/policy';
import { generateInstanceRolePolicy } from '../../main/services/aws/policy-instance-role';
import { applyEnvironment } from '../../shared/environments';
import { REGION_PATTERN } from '../../shared/project';
import { AppError } from '../../shared/result';
import { loadProject } from '../project-target';
import type { RegisterCommand } from './index';

interface PolicyFlags {
  file?: string;
  accountId?: string;
  region?: string;
  forms?: boolean;
  explain?: boolean;
  instanceRole?: boolean;
  env?: string;
}

export const registerPolicy: RegisterCommand = (program, io) => {
  program
    .command('policy')
    .description('print the least-privilege IAM policy a project needs (JSON on stdout)')
    .argument('[project]', 'project name in the data directory')
    .option('--file <file>', 'read the project from a YAML or JSON file instead')
    .option('--account-id <id>', 'the 12-digit account id to put in resource ARNs (default *)')
    .option('--region <region>', 'the region to put in resource ARNs (default: the project’s, else *)')
    .option(
      '--forms',
      'also allow what the app’s project form reads (instance types, VPCs, subnets, key pairs)',
    )
    .option(
      '--instance-role',
      'print the builder’s instance-role policy instead: read the parameters and secrets the env references',
    )
    .option('--env <name>', 'with --instance-role: only what this named environment references')
    .option('--explain', 'explain each statement on stderr')
    .action(async (name: string | undefined, flags: PolicyFlags, command: Command) => {
      if (flags.accountId !== undefined && !/^\d{12}$/.test(flags.accountId)) {
        throw new AppError('INVALID_INPUT', `--account-id must be 12 digits, not "${flags.accountId}".`);
      }
      if (flags.region !== undefined && !REGION_PATTERN.test(flags.region)) {
        throw new AppError('INVALID_INPUT', `"${flags.region}" is not an AWS region name (like eu-west-1).`);
      }
      const project = await loadProject(command, io, name, flags.file);
      if (flags.env !== undefined && !flags.instanceRole)
        throw new AppError('INVALID_INPUT', '--env goes with --instance-role.');
      if (flags.instanceRole) {
        if (flags.env !== undefined) applyEnvironment(project, flags.env);
        const role = generateInstanceRolePolicy(project, {
          ...(flags.accountId ? { accountId: flags.accountId } : {}),
          ...(flags.region ? { region: flags.region } : {}),
          ...(flags.env !== undefined ? { environment: flags.env } : {}),
        });
        if (!role)
          throw new AppError(
            'INVALID_INPUT',
            `${project.name} has no env references: its builder needs no instance-role policy from Quadraxis.`,
          );
        io.stdout(`${JSON.stringify(role.policy, null, 2)}\n`);
        if (flags.explain) for (const { sid, text } of role.explanations) io.stderr(`${sid}: ${text}\n`);
        return;
      }
      const { policy, explanations } = generatePolicy(project, {
        ...(flags.accountId ? { accountId: flags.accountId } : {}),
        ...(flags.region ? { region: flags.region } : {}),
        forms: flags.forms === true,
      });
      io.stdout(`${JSON.stringify(policy, null, 2)}\n`);
      if (flags.explain) for (const { sid, text } of explanations) io.stderr(`${sid}: ${text}\n`);
    });
};
