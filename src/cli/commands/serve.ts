import { InvalidArgumentError, type Command } from 'commander';
import { createRuntime } from '../../main/runtime/runtime';
import { systemClock } from '../../main/services/clock';
import { resolveDataDir } from '../../main/services/data-dir';
import { createLogger } from '../../main/services/logger';
import {
  DEFAULT_WEBHOOK_LIMITS,
  exposureProblem,
  isLoopbackHost,
  openWebhookState,
  serverSecretBox,
  startWebhookServer,
} from '../../main/services/webhook';
import { webhookPaths } from '../../main/services/webhook/paths';
import { readTls } from '../../main/services/webhook/tls';
import { AppError } from '../../shared/result';
import { DEFAULT_WEBHOOK_PORT, WebhookPublicUrlSchema } from '../../shared/settings';
import { parsePort } from '../parse-port';
import type { CliIO } from '../program';
import { untilSignal } from '../until-signal';
import { pollInterval, printRecovery } from '../runtime';
import type { RegisterCommand } from './index';

export interface ServeOptions {
  dataDir: string;
  port: number;
  host: string;
  profile?: string;
  rateLimit: number;
  tlsCert?: string;
  tlsKey?: string;
  insecure?: boolean;
  publicUrl?: string;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
}

export const registerServe: RegisterCommand = (program, io) => {
  program
    .command('serve')
    .description('run the webhook listener without the app (for a build server): bake on push')
    .option('--port <port>', `port to listen on; 0 picks a free one`, parsePort, DEFAULT_WEBHOOK_PORT)
    .option(
      '--host <host>',
      'address to bind; anything but loopback lets other machines in and needs TLS (or --insecure)',
      '127.0.0.1',
    )
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (and chain); needs --tls-key')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option(
      '--insecure',
      'allow plain HTTP beyond loopback (only behind a TLS proxy that is the only way in)',
    )
    .option(
      '--public-url <url>',
      'where the world reaches this listener (a proxy’s https:// URL); used for status URLs',
      parsePublicUrl,
    )
    .option('--profile <profile>', 'AWS profile for projects that have no webhook profile of their own')
    .option(
      '--rate-limit <n>',
      'bakes per project per minute before answering 429',
      parseCount,
      DEFAULT_WEBHOOK_LIMITS.perMinute,
    )
    .option(
      '--max-connections <n>',
      `open connections at once (default ${DEFAULT_WEBHOOK_LIMITS.maxConnections})`,
      parseCount,
    )
    .option(
      '--max-connections-per-address <n>',
      `open connections from one address (default ${DEFAULT_WEBHOOK_LIMITS.maxConnectionsPerAddress}; behind a proxy, all come from the proxy)`,
      parseCount,
    )
    .addHelpText(
      'after',
      '\nPOST /hooks/<project> with a GitHub signature (X-Hub-Signature-256, made with the project’s GitHub\n' +
        'secret) or Authorization: Bearer <token> starts a bake and answers 202 with its id; GET /bakes/<id>\n' +
        '(same token) shows it; GET /healthz. Secrets: `quadraxis triggers <project>`. The GitHub secret is sealed\n' +
        'with the key in QUADRAXIS_WEBHOOK_KEY, else with an owner-only key file in the data directory\n' +
        '(webhook/secret.key); of the token only a hash is kept. No X-Forwarded-* header is trusted.',
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
  // Bad flags are refused before anything starts (no recovery, no files).
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey))
    throw new AppError('INVALID_INPUT', 'Give --tls-cert and --tls-key together.');
  const tls = opts.tlsCert && opts.tlsKey ? { certFile: opts.tlsCert, keyFile: opts.tlsKey } : undefined;
  const problem = exposureProblem(opts.host, { tls, insecure: opts.insecure === true });
  if (problem) throw new AppError('INVALID_INPUT', `${problem} (--tls-cert and --tls-key, or --insecure)`);
  if (tls) await readTls(tls);
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
        bakes: runtime.store.bakes,
        engine: runtime.engine,
        clock: systemClock,
        logger,
        defaultProfile: () => opts.profile,
        limits: {
          perMinute: opts.rateLimit,
          ...(opts.maxConnections ? { maxConnections: opts.maxConnections } : {}),
          ...(opts.maxConnectionsPerAddress
            ? { maxConnectionsPerAddress: opts.maxConnectionsPerAddress }
            : {}),
        },
      },
      {
        host: opts.host,
        port: opts.port,
        ...(tls ? { tls } : {}),
        insecure: opts.insecure === true,
        ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
      },
    );
    io.stdout(`webhook server listening on ${server.url}\n`);
    if (!isLoopbackHost(opts.host) && !tls) {
      io.stderr(
        `warning: plain HTTP on ${opts.host} (--insecure): only a TLS proxy in front of it may be reachable from other machines.\n`,
      );
    }
    io.stderr(
      [
        `Hooks: POST ${server.publicUrl}/hooks/<project>; secrets with \`quadraxis triggers <project>\` (the GitHub secret sealed with ${box.description}).`,
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

function parseCount(value: string): number {
  const count = Number(value);
  if (!/^\d{1,4}$/.test(value) || count < 1) throw new InvalidArgumentError('a whole number from 1 to 9999');
  return count;
}

function parsePublicUrl(value: string): string {
  const parsed = WebhookPublicUrlSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError('an http:// or https:// URL without ? or #');
  return parsed.data.replace(/\/+$/, '');
}
