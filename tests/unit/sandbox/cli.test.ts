import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runSandbox } from '../../../src/cli/commands/sandbox';
import { runCli, type CliIO } from '../../../src/cli/program';
import { AppError } from '../../../src/shared/result';
import { SANDBOX_CREDENTIALS } from '../../../src/sandbox';

function capture(): CliIO & { out: string[]; err: string[]; firstLine: Promise<string> } {
  const out: string[] = [];
  const err: string[] = [];
  let resolveLine!: (line: string) => void;
  const firstLine = new Promise<string>((resolve) => (resolveLine = resolve));
  return {
    out,
    err,
    firstLine,
    env: {},
    stdout: (text) => {
      out.push(text);
      resolveLine(text);
    },
    stderr: (text) => err.push(text),
  };
}

describe('quadraxis sandbox', () => {
  it('prints one line with its URL, serves the SDK, and closes when stopped', async () => {
    const io = capture();
    let stop!: () => void;
    const running = runSandbox(
      { port: 0, seed: 'cli' },
      io,
      new Promise<void>((resolve) => (stop = resolve)),
    );
    const line = await io.firstLine;
    const url = /^sandbox listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(line)?.[1];
    expect(url).toBeDefined();
    expect(io.err.join('')).toContain(`AWS_ENDPOINT_URL_EC2=${url}`);
    expect(io.err.join('')).toMatch(/x-sandbox-token: [\w-]{20,}/);
    const ec2 = new EC2Client({
      endpoint: url,
      region: 'eu-west-1',
      credentials: SANDBOX_CREDENTIALS,
      maxAttempts: 1,
    });
    expect((await ec2.send(new DescribeRegionsCommand({}))).Regions?.length).toBeGreaterThan(0);
    stop();
    await running;
    await expect(ec2.send(new DescribeRegionsCommand({}))).rejects.toThrow();
    ec2.destroy();
    expect(io.out).toHaveLength(1);
  });

  it('says so when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await runSandbox({ port }, capture(), Promise.resolve()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('UNAVAILABLE');
    } finally {
      blocker.close();
    }
  });

  it('refuses a port that is not a number', async () => {
    const io = capture();
    expect(await runCli(['sandbox', '--port', 'eighty'], io)).toBe(2);
    expect(io.err.join('')).toContain('a port is a number from 0 to 65535');
  });
});
