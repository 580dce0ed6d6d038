import { InvalidArgumentError, type Command } from 'commander';
import { createRuntime } from '../../main/runtime/runtime';
import { systemClock } from '../../main/services/clock';
import { resolveDataDir } from '../../main/services/data-dir';
import { createLogger } from '../../main/services/logger';
import {
  DEFAULT_WEBHOOK_LIMITS,
  isLoopbackHost,
  openWebhookState,
  serverSecretBox,
  startWebhookServer,
} from '../../main/services/webhook';
import { webhookPaths } from '../../main/services/webhook/paths';
import { parsePort } from '../parse-port';
import type { CliIO } from '../program';
import { untilSignal } from '../until-signal';
import { pollInterval, printRecovery } from './bake';
import type { RegisterCommand } from './index';

export interface ServeOptions {
  dataDir: string;
  port: number;
  host: string;
  profile?: string;
  rateLimit: number;
}

export const DEFAULT_WEBHOOK_PORT = 8787;

export const registerServe: RegisterCommand = (program, io) => {
  program
    .command('serve')
    .description('run the webhook listener without the app (for a build server): bake on push')
    .option('--port <port>', `port to listen on; 0 picks a free one`, parsePort, DEFAULT_WEBHOOK_PORT)
    .option('--host <host>', 'address to bind; anything but loopback lets other machines in', '127.0.0.1')
    .option('--profile <profile>', 'AWS profile for projects that have no webhook profile of their own')
    .option(
      '--rate-limit <n>',
      'bakes per project per minute before answering 429',
      parseRate,
      DEFAULT_WEBHOOK_LIMITS.perMinute,
    )
    .addHelpText(
      'after',
      '\nPOST /hooks/<project> with a GitHub signature (X-Hub-Signature-256) or Authorization: Bearer <secret>\n' +
        'starts a bake and answers 202 with its id; GET /bakes/<id> (same token) shows it; GET /healthz.\n' +
        'Secrets: `quadraxis triggers <project> --rotate`. They are sealed with the key in QUADRAXIS_WEBHOOK_KEY,\n' +
        'else with an owner-only key file in the data directory (webhook/secret.key).',
    )
    .action(async (opts: Omit<ServeOptions, 'dataDir'>, command: Command) => {
      const { dataDir } = command.optsWithGlobals<{ dataDir?: string }>();
      await runServe(
        io,
        { ...opts, dataDir: resolveDataDir(dataDir, io.env) },
        untilSignal(['SIGINT', 'SIGTERM']),
      );
    });
};

/**
 * Runs the listener until `stop` settles, on the same data directory, projects and engine as the app.
 * Bakes interrupted by an earlier crash are recovered first. Prints one line on stdout when listening
 * (scripts wait for it); logs go to stderr as JSON lines.
 */
export async function runServe(io: CliIO, opts: ServeOptions, stop: Promise<unknown>): Promise<void> {
  const { dataDir } = opts;
  const logger = createLogger((line) => io.stderr(`${line}\n`));
  const poll = pollInterval(io.env);
  const runtime = createRuntime({
    dataDir,
    clock: systemClock,
    logger,
    actor: 'quadraxis serve',
    env: io.env,
    ...(poll ? { pollIntervalMs: poll } : {}),
  });
  try {
    const box = serverSecretBox(io.env, webhookPaths(dataDir).keyFile);
    printRecovery(io, await runtime.engine.recover());
    const server = await startWebhookServer(
      {
        state: openWebhookState({
          dataDir,
          box,
          clock: systemClock,
          logger: { warn: (m) => logger.warn(m) },
        }),
        projects: runtime.store.projects,
        engine: runtime.engine,
        clock: systemClock,
        logger,
        defaultProfile: () => opts.profile,
        limits: { perMinute: opts.rateLimit },
      },
      { host: opts.host, port: opts.port },
    );
    io.stdout(`webhook server listening on ${server.url}\n`);
    if (!isLoopbackHost(opts.host)) {
      io.stderr(
        `warning: listening on ${opts.host}: other machines can reach this port. Put it behind HTTPS (a reverse proxy) before exposing it to the internet.\n`,
      );
    }
    io.stderr(
      [
        `Hooks: POST ${server.url}/hooks/<project>; secrets with \`quadraxis triggers <project> --rotate\` (sealed with ${box.description}).`,
        opts.profile
          ? `Bakes use profile ${opts.profile} unless a project has its own webhook profile.`
          : 'No --profile: only projects with their own webhook profile bake (quadraxis triggers <project> --profile <name>).',
        'Press Ctrl-C to stop (running bakes are cancelled and cleaned up).',
        '',
      ].join('\n'),
    );
    try {
      await stop;
    } finally {
      await server.close();
    }
  } finally {
    // As promised above: a stopped server cancels its bakes instead of leaving them for a next start.
    await runtime.engine.shutdown({ cancel: true });
    await runtime.close();
  }
}

function parseRate(value: string): number {
  const rate = Number(value);
  if (!/^\d{1,4}$/.test(value) || rate < 1) throw new InvalidArgumentError('a whole number from 1 to 9999');
  return rate;
}
