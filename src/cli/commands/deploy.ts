import type { Command } from 'commander';
import { z } from 'zod';
import type { Runtime } from '../../main/runtime/runtime';
import type { DeployRequest } from '../../main/services/deploy/types';
import { GroupNameSchema, ProjectNameSchema, RegionSchema } from '../../shared/project';
import { AppError, describeZodError } from '../../shared/result';
import { EXIT_OK } from '../exit-codes';
import type { CliIO } from '../program';
import { cliRuntime } from '../runtime';
import type { RegisterCommand } from './index';
import type { TargetFlags } from '../aws-session';
import { follow } from '../deploy-follow';
import { withInterrupt } from '../interrupt';

interface DeployFlags extends TargetFlags {
  version?: string;
  asg?: string;
  minHealthy?: string;
  warmup?: string;
  json?: boolean;
  mfaCode?: string;
}

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} is a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} is at least ${min}`).max(max, `${name} is at most ${max}`));

/** The command line, validated at the boundary with the same schemas the project file uses. */
const DeployFlagsSchema = z.object({
  project: ProjectNameSchema,
  version: int('--version', 1, 1_000_000).optional(),
  asg: GroupNameSchema,
  region: RegionSchema.optional(),
  minHealthy: int('--min-healthy', 0, 100).optional(),
  warmup: int('--warmup', 0, 86_400).optional(),
  profile: z.string().min(1).max(256).optional(),
  endpoint: z.url().optional(),
});

export const registerDeploy: RegisterCommand = (program, io) => {
  program
    .command('deploy')
    .description('roll a baked version out to an Auto Scaling group (instance refresh), and watch it')
    .argument('<project>', 'project name in the data directory')
    .option('--version <n>', 'the project version to deploy (default: the newest)')
    .option('--asg <name>', 'the Auto Scaling group (default: the project’s only deploy target)')
    .option('--region <region>', 'the group’s region (default: the target’s, else the project’s)')
    .option(
      '--min-healthy <pct>',
      'capacity kept in service while replacing, in % (default: the project’s, else 90)',
    )
    .option('--warmup <seconds>', 'instance warmup (default: the project’s, else the group’s)')
    .option('--profile <profile>', 'AWS profile (default: the target’s, else as the AWS CLI picks it)')
    .option('--endpoint <url>', 'send every call to this endpoint (a running `quadraxis sandbox`)')
    .option('--json', 'print one deploy event per line (JSON) instead of text')
    .option('--mfa-code <code>', 'MFA code, when the profile needs one (otherwise asked on the terminal)')
    .addHelpText(
      'after',
      '\nExit codes: 0 Successful, 1 Failed / Cancelled / rolled back (or refused before anything changed),\n' +
        '2 bad input, 130 after Ctrl-C (which asks AWS to cancel the instance refresh first).',
    )
    .action(async (project: string, flags: DeployFlags, command: Command) => {
      const code = await withInterrupt(
        io,
        'Cancelling the instance refresh (press Ctrl-C again to quit at once; AWS carries on)…',
        (interrupt) => runDeploy(command, io, project, flags, interrupt),
      );
      if (code !== EXIT_OK) process.exitCode = code;
    });
};

/** Everything `quadraxis deploy` does; `interrupt` stands for Ctrl-C, so tests can press it. */
export async function runDeploy(
  command: Command,
  io: CliIO,
  name: string,
  flags: DeployFlags,
  interrupt: AbortSignal,
): Promise<number> {
  const runtime = cliRuntime(command, io, flags);
  try {
    // Deployments an earlier run left (its process stopped mid-refresh) are watched again while this runs.
    for (const taken of await runtime.deploy.recover()) {
      io.stderr(
        `Following ${taken.id} (${taken.project} to ${taken.group}) again: the run that started it stopped; the next quadraxis start carries it on if this one ends first.\n`,
      );
    }
    const request = await deployRequest(runtime, name, flags);
    return await follow(io, runtime, flags.json === true, interrupt, () => runtime.deploy.start(request));
  } finally {
    await runtime.close();
  }
}

async function deployRequest(runtime: Runtime, name: string, flags: DeployFlags): Promise<DeployRequest> {
  const parsed = DeployFlagsSchema.safeParse({
    ...flags,
    project: name,
    asg: flags.asg ?? (await onlyTarget(runtime, name)),
  });
  if (!parsed.success) throw new AppError('INVALID_INPUT', describeZodError(parsed.error));
  const p = parsed.data;
  const preferences = {
    ...(p.minHealthy !== undefined ? { minHealthyPercentage: p.minHealthy } : {}),
    ...(p.warmup !== undefined ? { instanceWarmupSeconds: p.warmup } : {}),
  };
  const fallback = (await runtime.aws.profiles()).currentProfile;
  return {
    project: p.project,
    ...(p.version !== undefined ? { version: p.version } : {}),
    group: p.asg,
    ...(p.region ? { region: p.region } : {}),
    ...(p.profile ? { profile: p.profile } : {}),
    ...(fallback ? { defaultProfile: fallback } : {}),
    ...(p.endpoint ? { endpoint: p.endpoint } : {}),
    preferences,
    trigger: 'cli',
  };
}

/** Without --asg, the project's one deploy target (several: the person picks). */
async function onlyTarget(runtime: Runtime, name: string): Promise<string> {
  const entry = await runtime.store.projects.get(name).catch(() => undefined);
  const targets = entry?.project.deploy?.targets ?? [];
  if (targets.length === 1) return targets[0]!.group;
  throw new AppError(
    'INVALID_INPUT',
    targets.length === 0
      ? `Name the Auto Scaling group with --asg (${name} names no deploy target).`
      : `${name} names ${targets.length} deploy targets (${targets.map((t) => t.group).join(', ')}): pick one with --asg.`,
  );
}
