import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { PruneImage, PruneOutcome, PrunePlan, PruneReport } from '../../shared/lifecycle';
import { AppError } from '../../shared/result';
import { EXIT_FAILURE } from '../exit-codes';
import type { CliIO } from '../program';
import { unknownProfileAsBadInput } from '../project-target';
import { formatTable, formatTime } from '../table';
import { cliRuntime } from '../runtime';
import type { RegisterCommand } from './index';
import { loadProject } from '../project-target';
import type { TargetFlags } from '../aws-session';

interface PruneFlags extends TargetFlags {
  file?: string;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  mfaCode?: string;
}

export const registerPrune: RegisterCommand = (program, io) => {
  program
    .command('prune')
    .description(
      "retire a project's old images by its retention rules: deregister them and delete their snapshots, in every region",
    )
    .argument('[project]', 'project name in the data directory')
    .option('--file <file>', 'read the project from a YAML or JSON file instead')
    .option(
      '--profile <profile>',
      'AWS profile (default: as the AWS CLI picks it; "sandbox" for the simulator)',
    )
    .option('--region <region>', 'the home region (default: the project’s, else the profile’s)')
    .option(
      '--endpoint <url>',
      'send every call to this endpoint (a running `quadraxis sandbox`, LocalStack)',
    )
    .option('--dry-run', 'show what would go and why each survivor stays; change nothing')
    .option('--yes', 'retire without asking')
    .option('--json', 'print the plan (with --dry-run) or the report as JSON')
    .option('--mfa-code <code>', 'MFA code, when the profile needs one (otherwise asked on the terminal)')
    .addHelpText(
      'after',
      '\nOnly images Quadraxis made for the project (its tags) are candidates; an image a running or stopped\n' +
        'instance, a launch template (default or latest version), an Auto Scaling group or the published\n' +
        'parameter uses is never retired. A prune that was interrupted is finished by the next one.\n' +
        'Exit codes: 0 done (or nothing to do), 1 something could not be retired, 2 bad input.',
    )
    .action(async (name: string | undefined, flags: PruneFlags, command: Command) => {
      const project = await loadProject(command, io, name, flags.file);
      const runtime = cliRuntime(command, io, flags);
      try {
        const profile = flags.profile ?? (await runtime.aws.profiles()).currentProfile;
        if (!profile)
          throw new AppError(
            'INVALID_INPUT',
            'No AWS profile chosen and no default profile: pass --profile.',
          );
        const pruner = runtime.engine.pruner;
        if (!pruner) throw new AppError('INTERNAL', 'This runtime has no pruner.');
        const request = {
          project,
          profile,
          ...(flags.region ? { region: flags.region } : {}),
          ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
        };
        if (flags.dryRun) {
          const plan = await pruner.plan(request).catch((error: unknown) => {
            throw unknownProfileAsBadInput(error);
          });
          if (flags.json) io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
          else {
            printPlan(io, plan);
            io.stdout(`Dry run: ${retiring(plan)}; nothing was changed.\n`);
          }
          if (plan.problems.length > 0) process.exitCode = EXIT_FAILURE;
          return;
        }
        const report = await pruner
          .prune(
            request,
            (plan) => confirm(io, plan, flags),
            (outcome) => {
              if (!flags.json) io.stdout(`${describeOutcome(outcome)}\n`);
            },
          )
          .catch((error: unknown) => {
            throw unknownProfileAsBadInput(error);
          });
        if (flags.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else printSummary(io, report);
        if (report.outcomes.some((o) => o.result === 'failed') || report.plan.problems.length > 0)
          process.exitCode = EXIT_FAILURE;
      } finally {
        await runtime.close();
      }
    });
};

async function confirm(io: CliIO, plan: PrunePlan, flags: PruneFlags): Promise<boolean> {
  if (!flags.json) printPlan(io, plan);
  const going = plan.images.filter((i) => i.action !== 'keep');
  if (going.length === 0) {
    if (!flags.json) io.stdout('Nothing to retire.\n');
    return false;
  }
  if (flags.yes) return true;
  if (!process.stdin.isTTY) {
    io.stderr(`Not pruning: ${retiring(plan)}. Run again with --yes to do it.\n`);
    return false;
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${capitalize(retiring(plan))}. Go ahead? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

function retiring(plan: PrunePlan): string {
  const going = plan.images.filter((i) => i.action !== 'keep');
  const snapshots = going.reduce((n, i) => n + i.snapshotIds.length, 0);
  const disabling = going.filter((i) => i.action === 'disable').length;
  if (going.length === 0) return 'nothing to retire';
  const regions = new Set(going.map((i) => i.region)).size;
  const parts = [
    `${going.length - disabling} image${going.length - disabling === 1 ? '' : 's'} to deregister (with ${snapshots} snapshot${snapshots === 1 ? '' : 's'})`,
    disabling > 0 ? `${disabling} to disable first` : '',
  ].filter(Boolean);
  return `${parts.join(', ')} in ${regions} region${regions === 1 ? '' : 's'}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const ACTION_WORDS: Record<PruneImage['action'], string> = {
  keep: 'keep',
  deregister: 'RETIRE',
  disable: 'DISABLE',
};

export function printPlan(io: CliIO, plan: PrunePlan): void {
  const rules = [
    plan.rules.keep !== undefined
      ? `keep the newest ${plan.rules.keep}${plan.images.some((i) => i.environment !== undefined) ? ' of each environment' : ''}`
      : '',
    plan.rules.maxAgeDays !== undefined ? `keep those younger than ${plan.rules.maxAgeDays} days` : '',
    plan.rules.disableForDays !== undefined
      ? `disable ${plan.rules.disableForDays} days before deregistering`
      : '',
  ].filter(Boolean);
  io.stdout(`${plan.project}: ${rules.join(', ')}; regions ${plan.regions.join(', ')}\n`);
  if (plan.unfinished) {
    io.stdout(
      `An interrupted prune (started ${formatTime(plan.unfinished.startedAt)}) is finished first: ${plan.unfinished.pending
        .map((p) => `${p.imageId} (${p.region}, ${p.state})`)
        .join(', ')}\n`,
    );
  }
  if (plan.images.length > 0) {
    // Retention ranks each environment on its own; the column appears only once a bake named one.
    const environments = plan.images.some((i) => i.environment !== undefined);
    io.stdout(
      formatTable(
        [
          'REGION',
          'IMAGE',
          'VERSION',
          ...(environments ? ['ENVIRONMENT'] : []),
          'CREATED',
          'STATE',
          'ACTION',
          'WHY',
        ],
        plan.images.map((i) => [
          i.region,
          i.imageId,
          i.version !== undefined ? `v${i.version}` : '-',
          ...(environments ? [i.environment ?? '-'] : []),
          formatTime(i.createdAt),
          i.state,
          ACTION_WORDS[i.action],
          i.reasons.join('; '),
        ]),
      ),
    );
  } else {
    io.stdout('No images of this project in these regions.\n');
  }
  for (const problem of plan.problems)
    io.stderr(`${problem.region} could not be looked at (nothing there is touched): ${problem.message}\n`);
}

export function describeOutcome(outcome: PruneOutcome): string {
  const where = `${outcome.imageId} (${outcome.region})`;
  const earlier = outcome.resumed ? ' [from an interrupted prune]' : '';
  switch (outcome.result) {
    case 'deregistered':
      return `deregistered ${where}${outcome.snapshotsDeleted.length > 0 ? `, deleted ${outcome.snapshotsDeleted.join(', ')}` : ''}${earlier}`;
    case 'disabled':
      return `disabled ${where}${earlier}`;
    case 'skipped':
      return `kept ${where}: ${outcome.message ?? 'in use'}${earlier}`;
    case 'failed':
      return `could not retire ${where}: ${outcome.message ?? 'failed'}${earlier}`;
  }
}

function printSummary(io: CliIO, report: PruneReport): void {
  const count = (result: PruneOutcome['result']) => report.outcomes.filter((o) => o.result === result).length;
  if (!report.acted) return;
  io.stdout(
    `Pruned ${report.plan.project}: ${count('deregistered')} deregistered, ${count('disabled')} disabled, ${count('skipped')} kept (in use), ${count('failed')} failed; ${report.apiCalls} API calls.\n`,
  );
}
