import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runSandbox } from '../../../src/cli/commands/sandbox';
import { runCli, type CliIO } from '../../../src/cli/program';
import { AppError } from '../../../src/shared/result';
import { SANDBOX_CREDENTIALS } from '../../../src/sandbox';
import { FAKE_QEMU, fakeImageDir } from './vm/fixture';

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

describe('quadraxis sandbox --vm', () => {
  it('runs the VM mode and says which image, accelerator and cap it has', async () => {
    const image = await fakeImageDir();
    const io = capture();
    let stop!: () => void;
    try {
      const running = runSandbox(
        { port: 0, vm: image, vmQemu: FAKE_QEMU, vmMax: 1, vmMirror: true },
        io,
        new Promise<void>((resolve) => (stop = resolve)),
      );
      await io.firstLine;
      const banner = io.err.join('');
      expect(banner).toContain('VM mode: AMI debian-12-local-0123456789ab (owner self) boots real VMs with');
      expect(banner).toContain('at most 1 at once');
      expect(banner).toContain('guests reach instance metadata and deb.debian.org');
      stop();
      await running;
    } finally {
      await rm(image, { recursive: true, force: true });
    }
  });

  it('refuses VM flags without --vm, and an image it cannot use, changing nothing', async () => {
    const io = capture();
    expect(await runCli(['sandbox', '--vm-kernel-args', 'console=tty0'], io)).toBe(2);
    expect(io.err.join('')).toContain('need --vm <image>');
    const missing = capture();
    expect(await runCli(['sandbox', '--vm', '/nonexistent/image'], missing)).toBe(2);
    expect(missing.err.join('')).toContain(
      'cannot start the VM mode: VM image /nonexistent/image does not exist',
    );
    expect(missing.out).toEqual([]);
    const cap = capture();
    expect(await runCli(['sandbox', '--vm', '/x', '--vm-max', '0'], cap)).toBe(2);
    expect(cap.err.join('')).toContain('a number of VMs from 1 to 64');
  });
});
