import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_BIN, requireBuild } from '../helpers/paths';
import { RawClient, postHead } from '../unit/webhook/raw-http';

const run = promisify(execFile);
const MiB = 1024 * 1024;
/**
 * The stated bound: how far `quadraxis serve`'s peak resident memory may rise above where it stood before
 * the flood. The listener reads at most the 16 MiB body budget plus a small body per connection at once,
 * and a connection costs a few tens of KiB; the old listener grew by 267 MiB under 300 bodies.
 */
const RSS_BOUND_BYTES = 64 * MiB;
/** The default headers timeout (5 s) and how often it is checked (0.5 s). */
const HEADERS_TIMEOUT_MS = 5_000;
const CHECK_MS = 500;

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(join(tmpdir(), 'qx-built-flood-'));
  await writeFile(join(dir, 'aws'), '');
  env = {
    ...process.env,
    AWS_CONFIG_FILE: join(dir, 'aws'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws'),
    QUADRAXIS_DATA_DIR: join(dir, 'data'),
    QUADRAXIS_POLL_MS: '100',
  };
  await writeFile(
    join(dir, 'web.yaml'),
    [
      'name: web',
      'region: eu-west-1',
      'baseImage: { kind: ssm, parameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 }',
      'initScript: "#!/bin/sh\\necho hello\\n"',
      '',
    ].join('\n'),
  );
  await run(process.execPath, [CLI_BIN, 'projects', 'import', join(dir, 'web.yaml')], { env });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Resident and peak resident memory of a process, from Linux's /proc. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

it('`quadraxis serve` under a flood: peak memory within the bound, idle connections closed, a real trigger answered', async () => {
  const { stdout } = await run(
    process.execPath,
    [CLI_BIN, 'triggers', 'web', '--json', '--profile', 'sandbox'],
    { env },
  );
  const { token } = JSON.parse(stdout) as { token: string };
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  try {
    const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const url = /^webhook server listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(first);
    expect(url, stderr).not.toBeNull();
    const port = Number(url![2]);
    // Warm: the first requests load what a request needs.
    for (let i = 0; i < 5; i++) await (await fetch(`${url![1]}/healthz`)).text();
    const before = await memoryOf(child.pid!);

    const megabyte = Buffer.alloc(MiB, 0x20);
    const idle = await Promise.all(
      Array.from({ length: 160 }, (_, i) => RawClient.open(port, `127.0.4.${1 + (i % 8)}`)),
    );
    const floods = [
      ...Array.from({ length: 200 }, (_, i) => ({ from: `127.0.5.${1 + (i % 20)}`, headers: {} })),
      ...Array.from({ length: 40 }, (_, i) => ({
        from: `127.0.6.${1 + (i % 10)}`,
        headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      })),
    ].map(async ({ from, headers }) => {
      const client = await RawClient.open(port, from);
      client.write(postHead('/hooks/web', { ...headers, 'content-length': String(MiB) }));
      client.write(megabyte);
      await client.closed;
      return client;
    });
    const trigger = await fetch(`${url![1]}/hooks/web`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    await Promise.all(floods);
    await Promise.all(idle.map((c) => c.closed));
    const after = await memoryOf(child.pid!);

    expect(trigger.status).toBe(202);
    const accepted = idle.filter((c) => c.received.startsWith('HTTP/1.1 408'));
    expect(accepted.length).toBe(8 * 16);
    const slowest = Math.max(...accepted.map((c) => c.closedAt! - c.openedAt));
    const growth = after.peak - Math.max(before.peak, before.rss);
    console.info(
      `quadraxis serve flood: RSS ${(before.rss / MiB).toFixed(0)} MiB before; peak ${(after.peak / MiB).toFixed(0)} MiB ` +
        `(+${(Math.max(0, growth) / MiB).toFixed(1)} MiB, bound ${RSS_BOUND_BYTES / MiB}) under 160 idle connections and ` +
        `240 bodies of 1 MiB; idle connections closed after at most ${Math.round(slowest)} ms ` +
        `(headers timeout ${HEADERS_TIMEOUT_MS} ms); the trigger sent during it got ${trigger.status}`,
    );
    expect(growth).toBeLessThan(RSS_BOUND_BYTES);
    expect(slowest).toBeLessThan(HEADERS_TIMEOUT_MS + CHECK_MS + 4000);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = (await exited) as [number | null];
  expect(code, stderr).toBe(0);
  // The flood was counted and summed up in one line, not logged request by request.
  expect(stderr.match(/refused before authentication/g)?.length ?? 0).toBeLessThanOrEqual(1);
  expect(stderr).not.toMatch(/"outcome":"unauthorized"/);
});
