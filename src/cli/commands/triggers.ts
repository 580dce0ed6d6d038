import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { systemClock } from '../../main/services/clock';
import {
  hookUrl,
  localUrl,
  openWebhookState,
  serverSecretBox,
  type SecretKind,
  type TriggerConfig,
} from '../../main/services/webhook';
import { webhookPaths } from '../../main/services/webhook/paths';
import { AppError } from '../../shared/result';
import { WebhookPublicUrlSchema } from '../../shared/settings';
import { curlCommand } from '../../shared/webhook-snippets';
import { openStore } from '../open-store';
import type { CliIO } from '../program';
import type { RegisterCommand } from './index';
import { DEFAULT_WEBHOOK_PORT } from '../../shared/settings';

interface TriggersOptions {
  rotate?: boolean;
  rotateToken?: boolean;
  rotateGithubSecret?: boolean;
  profile?: string;
  defaultProfile?: boolean;
  baseUrl?: string;
  json?: boolean;
}

export const registerTriggers: RegisterCommand = (program, io) => {
  program
    .command('triggers')
    .description('print a project’s webhook URL, and its token and GitHub secret when they are new')
    .argument('<project>', 'project name')
    .option('--rotate-token', 'a new bearer token for scripts; the old one stops working at once')
    .option('--rotate-github-secret', 'a new GitHub signing secret; the old one stops working at once')
    .option('--rotate', 'both of the above')
    .option('--profile <profile>', 'AWS profile this project’s webhook bakes use')
    .option('--default-profile', 'forget the project’s own profile: use the app’s, or serve --profile')
    .option('--base-url <url>', 'where the listener is reached (default: the app’s webhook settings)')
    .option('--json', 'print JSON: { url, token, githubSecret, … } (secrets only when new)')
    .addHelpText(
      'after',
      '\nThe first call makes whichever secret the project lacks. A secret is shown once, when it is made:\n' +
        'of the token only a hash is kept, and the GitHub secret is kept sealed. Scripts send the token as\n' +
        'Authorization: Bearer <token>; GitHub signs with the GitHub secret. Neither works as the other.',
    )
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
  if (opts.baseUrl !== undefined && !WebhookPublicUrlSchema.safeParse(opts.baseUrl).success) {
    throw new AppError('INVALID_INPUT', '--base-url: an http:// or https:// URL without ? or #.');
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
  const before = await state.triggers.config(project);
  const make = (kind: SecretKind, asked: boolean | undefined, set: boolean) =>
    asked || opts.rotate || !set ? state.triggers.rotate(project, kind) : Promise.resolve(undefined);
  const token = await make('token', opts.rotateToken, before.token.set);
  const githubSecret = await make('github', opts.rotateGithubSecret, before.githubSecret.set);
  const config = await state.triggers.config(project);
  const url = hookUrl(opts.baseUrl ?? (await appListenerUrl(dataDir)), project);
  const branches = entry.project.triggers.branches;
  const problem = githubSecret ? undefined : config.githubSecret.problem;
  if (problem) io.stderr(`warning: ${problem}\n`);
  if (opts.json) {
    io.stdout(
      `${JSON.stringify(
        {
          project,
          url,
          ...(token ? { token } : {}),
          ...(githubSecret ? { githubSecret } : {}),
          ...(config.profile ? { profile: config.profile } : {}),
          branches,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  io.stdout(
    [
      `Hook URL:       ${url}`,
      `Token:          ${secretLine(token, config.token, '--rotate-token')}`,
      `GitHub secret:  ${secretLine(githubSecret, config.githubSecret, '--rotate-github-secret')}`,
      `Profile:        ${config.profile ?? 'the app’s selected profile, or quadraxis serve --profile'}`,
      `Branches:       ${branches.length > 0 ? branches.join(', ') : 'the repository’s default branch'}`,
      ...(token ? [`Try it:         ${curlCommand(url, token)}`] : []),
      ...(token || githubSecret ? ['', 'Copy the new secrets now: they are not shown again.'] : []),
      '',
    ].join('\n'),
  );
}

function secretLine(fresh: string | undefined, held: TriggerConfig['token'], flag: string): string {
  if (fresh) return `${fresh}   (new: any earlier one no longer works)`;
  const when = held.createdAt ? `made ${new Date(held.createdAt).toISOString()}` : 'set';
  return `${when}; not shown again (${flag} for a new one)`;
}

const SettingsFileSchema = z.object({
  webhook: z
    .object({
      host: z.string(),
      port: z.number().int(),
      publicUrl: z.string(),
      tls: z.object({ certFile: z.string(), keyFile: z.string() }),
    })
    .partial()
    .optional(),
});

/** The app's webhook address from its settings file in the data directory; 127.0.0.1:8787 without one. */
async function appListenerUrl(dataDir: string): Promise<string> {
  const text = await readFile(join(dataDir, 'settings.json'), 'utf8').catch(() => '{}');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = {};
  }
  const webhook = SettingsFileSchema.safeParse(raw).data?.webhook;
  if (webhook?.publicUrl && WebhookPublicUrlSchema.safeParse(webhook.publicUrl).success)
    return webhook.publicUrl;
  const tls = Boolean(webhook?.tls?.certFile && webhook.tls.keyFile);
  return localUrl(webhook?.host ?? '127.0.0.1', webhook?.port ?? DEFAULT_WEBHOOK_PORT, tls);
}
