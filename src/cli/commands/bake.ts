import type { Command } from 'commander';
import { describeEvent, describeOutcome, type BakeEngine } from '../../main/services/bake';
import { isFinalStatus, type BakeRecord } from '../../shared/bake';
import { applyEnvironment } from '../../shared/environments';
import { EnvironmentNameSchema } from '../../shared/project';
import { AppError, describeZodError, ErrorCodeSchema } from '../../shared/result';
import { deployAfterBake } from '../deploy-after-bake';
import { EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes';
import type { CliIO } from '../program';
import type { RegisterCommand } from './index';
import { loadProject } from '../project-target';
import type { TargetFlags } from '../aws-session';
import { cliRuntime, printRecovery } from '../runtime';
import { withInterrupt } from '../interrupt';

interface BakeFlags extends TargetFlags {
  file?: string;
  json?: boolean;
  force?: boolean;
  /** One of the project's named environments (issue 18). */
  env?: string;
  deploy?: boolean;
  mfaCode?: string;
  /** commander's --no-prune: false when given. */
  prune?: boolean;
}

export const registerBake: RegisterCommand = (program, io) => {
  program
    .command('bake')
    .description('bake an AMI: launch a builder, wait for the init script to finish, image it, clean up')
    .argument('[project]', 'project name in the data directory')
    .option('--file <file>', 'read the project from a YAML or JSON file instead')
    .option(
      '--profile <profile>',
      'AWS profile (default: as the AWS CLI picks it; "sandbox" for the simulator)',
    )
    .option('--region <region>', 'region (default: the project’s, else the profile’s)')
    .option(
      '--endpoint <url>',
      'send every call to this endpoint (a running `quadraxis sandbox`, LocalStack)',
    )
    .option('--force', 'bake even if an identical bake already made an image that still exists')
    .option('--env <name>', 'bake one of the project’s named environments (its values and launch settings)')
    .option('--no-prune', 'do not prune old images after this bake, even if the project asks for it')
    .option('--json', 'print one bake event per line (JSON) instead of text')
    .option('--deploy', 'then deploy the new version to every deploy target the project names')
    .option('--mfa-code <code>', 'MFA code, when the profile needs one (otherwise asked on the terminal)')
    .addHelpText(
      'after',
      '\nPrints the AMI id as the last line of stdout (with --json, the last event names it).\n' +
        'Exit codes: 0 baked (and, with --deploy, deployed), 1 failed, 2 bad input, 130 cancelled.',
    )
    .action(async (name: string | undefined, flags: BakeFlags, command: Command) => {
      const code = await withInterrupt(
        io,
        'Cancelling: removing what the bake made (press Ctrl-C again to quit at once)…',
        (interrupt) => runBake(command, io, name, flags, interrupt),
      );
      if (code !== EXIT_OK) process.exitCode = code;
    });
};

/** Everything `quadraxis bake` does; `interrupt` stands for Ctrl-C, so tests can press it. */
export async function runBake(
  command: Command,
  io: CliIO,
  name: string | undefined,
  flags: BakeFlags,
  interrupt: AbortSignal,
): Promise<number> {
  const loaded = await loadProject(command, io, name, flags.file);
  // Checked before anything connects: a typo in --env must not reach AWS.
  if (flags.env !== undefined) {
    const parsed = EnvironmentNameSchema.safeParse(flags.env);
    if (!parsed.success) throw new AppError('INVALID_INPUT', `--env: ${describeZodError(parsed.error)}`);
    applyEnvironment(loaded, parsed.data);
  }
  const project =
    flags.prune === false && loaded.retention
      ? { ...loaded, retention: { ...loaded.retention, pruneAfterBake: false } }
      : loaded;
  const runtime = cliRuntime(command, io, flags);
  const { engine } = runtime;
  try {
    const recovered = await engine.recover();
    printRecovery(io, recovered);
    const profile = flags.profile ?? (await runtime.aws.profiles()).currentProfile;
    if (!profile) {
      throw new AppError(
        'INVALID_INPUT',
        'No AWS profile chosen and no default profile: pass --profile (or --profile sandbox).',
      );
    }
    // Bakes recovery resumed run alongside; stdout follows only the one this command started.
    const resumed = new Set(recovered.bakes.filter((b) => b.outcome === 'resumed').map((b) => b.bakeId));
    const off = engine.subscribe((event) => {
      if (resumed.has(event.bakeId)) return;
      if (flags.json) io.stdout(`${JSON.stringify(event)}\n`);
      else for (const line of describeEvent(event)) io.stdout(`${line}\n`);
    });
    try {
      const final = await bake(engine, interrupt, {
        project,
        profile,
        trigger: 'cli',
        ...(flags.region ? { region: flags.region } : {}),
        ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
        ...(flags.force ? { force: true } : {}),
        ...(flags.env !== undefined ? { environment: flags.env } : {}),
        ...(flags.deploy ? { deploy: true } : {}),
      });
      const baked = conclude(io, final, flags.json === true);
      return flags.deploy ? await deployAfterBake(io, runtime, final, flags.json === true, interrupt) : baked;
    } finally {
      off();
      await noteUnfinished(io, engine, resumed);
    }
  } finally {
    await runtime.close();
  }
}

async function bake(
  engine: BakeEngine,
  interrupt: AbortSignal,
  request: Parameters<BakeEngine['start']>[0],
): Promise<BakeRecord> {
  let started: BakeRecord;
  try {
    started = await engine.start(request);
  } catch (error) {
    // A profile that does not exist is a typo on the command line, like a bad flag.
    if (error instanceof AppError && error.details?.reason === 'unknown-profile') {
      throw new AppError('INVALID_INPUT', error.message, error.details);
    }
    if (error instanceof AppError && error.details?.reason === 'identical') {
      throw new AppError('CONFLICT', `${error.message} Pass --force to bake another.`, error.details);
    }
    throw error;
  }
  const cancel = () => void engine.cancel(started.id).catch(() => undefined);
  if (interrupt.aborted) cancel();
  else interrupt.addEventListener('abort', cancel, { once: true });
  // Someone is reading this command's output (a terminal, a CI log, a program reading --json): stream the
  // builder's console while the script runs, not only once it has finished.
  let release = engine.watchConsole(started.id);
  // Joining an identical running bake (decided after preflight) means its leader's builder is the one to watch.
  const off = engine.subscribe((event) => {
    if (event.bakeId !== started.id || event.type !== 'status' || !event.joinedTo) return;
    release();
    release = engine.watchConsole(started.id);
  });
  try {
    return await engine.waitForFinal(started.id);
  } finally {
    off();
    release();
  }
}

function conclude(io: CliIO, final: BakeRecord, json: boolean): number {
  if (final.status === 'succeeded' && final.imageId) {
    // With --json every line is an event (the last one, `finished`, names the AMI); otherwise the id ends it.
    if (!json) io.stdout(`${describeOutcome(final)}\n${final.imageId}\n`);
    return EXIT_OK;
  }
  if (final.status === 'cancelled') {
    io.stderr(`${describeOutcome(final)}\n`);
    return EXIT_INTERRUPTED;
  }
  // Preflight found the project itself wrong: bad input (exit 2), like a schema error.
  const code = ErrorCodeSchema.safeParse(final.error?.code);
  throw new AppError(code.success ? code.data : 'AWS_ERROR', describeOutcome(final));
}

/** Resumed bakes this command does not wait for: left, journaled, for the next start to carry on. */
async function noteUnfinished(io: CliIO, engine: BakeEngine, resumed: Set<string>): Promise<void> {
  for (const id of resumed) {
    const record = await engine.get(id);
    if (record && !isFinalStatus(record.status))
      io.stderr(`${id} (${record.project}) is not finished yet; the next quadraxis start carries it on.\n`);
  }
}
