import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sandboxClientConfig, startSandbox, type SandboxHandle } from '../../src/sandbox';

/**
 * The real CLI bundle in its own process: `quadraxis prune` killed with SIGKILL between deregistering an
 * image and deleting its snapshots leaves those snapshots known only to its journal (and its lock held by a
 * dead process). The next `quadraxis prune` takes the lock over, deletes them, and — asking again first —
 * keeps the image it had not reached yet, which an instance now uses.
 */
const BIN = resolve(__dirname, '..', '..', 'bin', 'quadraxis.cjs');
const FAST = {
  pendingMs: 100,
  bootMs: 100,
  scriptDefaultMs: 100,
  shutdownDelayMs: 50,
  stoppingMs: 100,
  shuttingDownMs: 100,
  imagePendingMs: 200,
};

let sandbox: SandboxHandle;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'cli-prune-built', timings: FAST });
  dir = await mkdtemp(join(tmpdir(), 'qx-built-prune-'));
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

function quadraxis(args: string[]) {
  const child = spawn(process.execPath, [BIN, '--data-dir', join(dir, 'data'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      QUADRAXIS_POLL_MS: '100',
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    },
  });
  const output = { out: '', err: '' };
  child.stdout.on('data', (chunk) => (output.out += String(chunk)));
  child.stderr.on('data', (chunk) => (output.err += String(chunk)));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, output, exited };
}

/** Resolves once the sandbox has seen a call matching `match` (polled: the CLI runs in another process). */
async function sawCall(match: (c: { action: string; outcome: string }) => boolean): Promise<void> {
  for (;;) {
    if (sandbox.sim.calls().some(match)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a prune killed with SIGKILL mid-way is finished by the next one, which keeps what came into use', async () => {
  const file = join(dir, 'web.yaml');
  await writeFile(
    file,
    'name: web\nregion: eu-west-1\nbaseImage:\n  kind: ssm\n  parameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\n' +
      'initScript: |\n  #!/bin/sh\n  echo baking\nretention:\n  keep: 1\n',
  );
  for (let i = 0; i < 3; i++) {
    const bake = quadraxis([
      'bake',
      '--file',
      file,
      '--profile',
      'sandbox',
      '--endpoint',
      sandbox.url,
      '--force',
    ]);
    const [code] = await bake.exited;
    expect(code, bake.output.err).toBe(0);
  }
  expect(sandbox.sim.images()).toHaveLength(3);

  // Every DeleteSnapshot's connection is cut: the prune deregisters its first image, then keeps retrying.
  sandbox.sim.injectFault({ action: 'DeleteSnapshot', fault: 'DropConnection', count: 10_000 });
  const args = ['prune', '--file', file, '--profile', 'sandbox', '--endpoint', sandbox.url, '--yes'];
  const first = quadraxis(args);
  await sawCall((c) => c.action === 'DeleteSnapshot' && c.outcome === 'dropped');
  first.child.kill('SIGKILL');
  expect((await first.exited)[1]).toBe('SIGKILL');

  const journal = JSON.parse(await readFile(join(dir, 'data', 'prunes', 'web.json'), 'utf8')) as {
    finishedAt?: number;
    entries: { imageId: string; state: string; snapshotIds: string[] }[];
  };
  expect(journal.finishedAt).toBeUndefined();
  const gone = journal.entries.find((e) => e.state === 'image-gone')!;
  const untouched = journal.entries.find((e) => e.state === 'planned')!;
  expect(gone).toBeDefined();
  expect(untouched).toBeDefined();
  const images = sandbox.sim.images().map((i) => i.imageId);
  expect(images).not.toContain(gone.imageId);
  expect(images).toContain(untouched.imageId);
  // Its snapshots outlived it: only the journal still knows them.
  expect(sandbox.sim.snapshots().map((s) => s.snapshotId)).toEqual(expect.arrayContaining(gone.snapshotIds));

  // Meanwhile someone launches from the image the killed prune had not reached.
  const ec2 = new EC2Client({ ...sandboxClientConfig(sandbox, { region: 'eu-west-1' }), maxAttempts: 1 });
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: untouched.imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
    }),
  );
  ec2.destroy();
  const instanceId = run.Instances![0]!.InstanceId!;

  sandbox.sim.clearFaults();
  const second = quadraxis(args);
  const [code] = await second.exited;
  expect(code, second.output.err).toBe(0);
  expect(second.output.out).toContain(
    `deregistered ${gone.imageId} (eu-west-1), deleted ${gone.snapshotIds.join(', ')} [from an interrupted prune]`,
  );
  expect(second.output.out).toMatch(
    new RegExp(
      `kept ${untouched.imageId} \\(eu-west-1\\): in use: instance ${instanceId} \\(\\w+\\) \\[from an interrupted prune\\]`,
    ),
  );
  expect(sandbox.sim.snapshots().some((s) => gone.snapshotIds.includes(s.snapshotId))).toBe(false);
  expect(sandbox.sim.images().map((i) => i.imageId)).toContain(untouched.imageId);
  const finished = JSON.parse(await readFile(join(dir, 'data', 'prunes', 'web.json'), 'utf8')) as {
    finishedAt?: number;
  };
  expect(finished.finishedAt).toBeDefined();
});
