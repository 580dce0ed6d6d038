import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { systemClock } from '../../main/services/clock';
import { hookUrl, localUrl, openWebhookState, serverSecretBox } from '../../main/services/webhook';
import { webhookPaths } from '../../main/services/webhook/paths';
import { AppError } from '../../shared/result';
import { curlCommand } from '../../shared/webhook-snippets';
import { openStore } from '../open-store';
import type { CliIO } from '../program';
import type { RegisterCommand } from './index';
import { DEFAULT_WEBHOOK_PORT } from './serve';

interface TriggersOptions {
  rotate?: boolean;
  profile?: string;
  defaultProfile?: boolean;
  baseUrl?: string;
  json?: boolean;
}

export const registerTriggers: RegisterCommand = (program, io) => {
  program
    .command('triggers')
    .description('print a project’s webhook URL and secret (for git hooks and CI scripts)')
    .argument('<project>', 'project name')
    .option(
      '--rotate',
      'generate a new secret (the first call always does); the old one stops working at once',
    )
    .option('--profile <profile>', 'AWS profile this project’s webhook bakes use')
    .option('--default-profile', 'forget the project’s own profile: use the app’s, or serve --profile')
    .option('--base-url <url>', 'where the listener is reached (default: the app’s webhook settings)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: TriggersOptions, command: Command) => {
      await runTriggers(command, io, name, opts);
    });
};

export async function runTriggers(
  command: Command,
  io: CliIO,
  name: string,
  opts: TriggersOptions,
): Promise<void> {
  const store = openStore(command, io);
  const entry = await store.projects.get(name);
  if (!entry) throw new AppError('NOT_FOUND', `No project named "${name}".`);
  if (opts.profile && opts.defaultProfile) {
    throw new AppError('INVALID_INPUT', 'Give --profile or --default-profile, not both.');
  }
  const { dataDir } = store;
  const state = openWebhookState({
    dataDir,
    box: serverSecretBox(io.env, webhookPaths(dataDir).keyFile),
    clock: systemClock,
    logger: { warn: (message) => io.stderr(`warning: ${message}\n`) },
  });
  const project = entry.project.name;
  if (opts.profile || opts.defaultProfile) await state.triggers.setProfile(project, opts.profile);
  // The first call makes the secret; later ones print it again (this process's box permitting).
  const fresh = opts.rotate === true || !(await state.triggers.config(project)).hasSecret;
  const secret = fresh ? await state.triggers.rotate(project) : await state.triggers.reveal(project);
  const config = await state.triggers.config(project);
  const url = hookUrl(opts.baseUrl ?? (await appListenerUrl(dataDir)), project);
  const branches = entry.project.triggers.branches;
  if (opts.json) {
    io.stdout(
      `${JSON.stringify({ project, url, secret, generated: fresh, ...(config.profile ? { profile: config.profile } : {}), branches }, null, 2)}\n`,
    );
    return;
  }
  io.stdout(
    [
      `Hook URL:  ${url}`,
      `Secret:    ${secret}${fresh ? '   (new: any earlier one no longer works)' : ''}`,
      `Profile:   ${config.profile ?? 'the app’s selected profile, or quadraxis serve --profile'}`,
      `Branches:  ${branches.length > 0 ? branches.join(', ') : 'the repository’s default branch'}`,
      `Try it:    ${curlCommand(url, secret)}`,
      '',
    ].join('\n'),
  );
}

const SettingsFileSchema = z.object({
  webhook: z.object({ host: z.string(), port: z.number().int() }).partial().optional(),
});

/** The app's webhook host and port from its settings file in the data directory; 127.0.0.1:8787 without one. */
async function appListenerUrl(dataDir: string): Promise<string> {
  const text = await readFile(join(dataDir, 'settings.json'), 'utf8').catch(() => '{}');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = {};
  }
  const webhook = SettingsFileSchema.safeParse(raw).data?.webhook;
  return localUrl(webhook?.host ?? '127.0.0.1', webhook?.port ?? DEFAULT_WEBHOOK_PORT);
}
