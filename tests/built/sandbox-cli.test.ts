import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';

const BIN = resolve(__dirname, '..', '..', 'bin', 'quadraxis.cjs');

it('runs `quadraxis sandbox` in its own process until SIGINT', async () => {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--seed', 'built'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  try {
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, 'line')) as [string];
    const url = /^sandbox listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)?.[1];
    expect(url).toBeDefined();
    const ec2 = new EC2Client({
      endpoint: url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
      maxAttempts: 1,
    });
    const out = await ec2.send(new DescribeRegionsCommand({ RegionNames: ['eu-west-1'] }));
    ec2.destroy();
    expect(out.Regions?.[0]?.Endpoint).toBe('ec2.eu-west-1.amazonaws.com');
  } finally {
    child.kill('SIGINT');
  }
  const [code] = (await exited) as [number | null];
  expect(code).toBe(0);
});
