import { CONTROL_TOKEN_HEADER, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { AppError } from '../../shared/result';
import { parsePort } from '../parse-port';
import type { CliIO } from '../program';
import { untilSignal } from '../until-signal';
import type { RegisterCommand } from './index';

export const registerSandbox: RegisterCommand = (program, io) => {
  program
    .command('sandbox')
    .description('run the offline EC2 simulator (EC2, STS and SSM on one loopback port) until Ctrl-C')
    .option('--port <port>', 'port to listen on; 0 picks a free one', parsePort, 0)
    .option('--seed <seed>', 'seed for deterministic ids (default: random)')
    .action(async (opts: { port: number; seed?: string }) => {
      await runSandbox(opts, io, untilSignal(['SIGINT', 'SIGTERM']));
    });
};

/**
 * Runs the sandbox until `stop` settles. Prints exactly one line on stdout (scripts wait for it), and on
 * stderr how to point the AWS CLI/SDK at it and the control token.
 */
export async function runSandbox(
  opts: { port: number; seed?: string },
  io: CliIO,
  stop: Promise<unknown>,
): Promise<void> {
  const sandbox = await startSandbox({
    port: opts.port,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new AppError('UNAVAILABLE', `cannot listen on 127.0.0.1:${opts.port} (${code})`);
    }
    throw error;
  });
  io.stdout(`sandbox listening on ${sandbox.url}\n`);
  io.stderr(
    [
      'Simulated EC2, STS and SSM — nothing here touches AWS. Point a client at it with:',
      `  export AWS_ENDPOINT_URL_EC2=${sandbox.url} AWS_ENDPOINT_URL_STS=${sandbox.url} AWS_ENDPOINT_URL_SSM=${sandbox.url}`,
      `  export AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey} AWS_REGION=us-east-1`,
      `Control API: ${sandbox.url}/_sandbox/state with header ${CONTROL_TOKEN_HEADER}: ${sandbox.controlToken}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  try {
    await stop;
  } finally {
    await sandbox.close();
  }
}
