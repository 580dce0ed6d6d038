import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { TAG_ROLE } from '../../src/protocol/builder-tags';
import type { BakeRecord } from '../../src/shared/bake';

/**
 * The real CLI bundle in its own process, against a sandbox in this process (real time, short timings):
 * a bake killed with SIGKILL mid-script leaves a running builder, and the next `quadraxis bake` (which runs
 * recovery first) resumes that bake on it; Ctrl-C (SIGINT) cancels, cleans up and exits 130.
 */
const BIN = resolve(__dirname, '..', '..', 'bin', 'quadraxis.cjs');
const FAST = {
  pendingMs: 200,
  bootMs: 200,
  scriptDefaultMs: 200,
  shutdownDelayMs: 50,
  stoppingMs: 200,
  shuttingDownMs: 200,
  imagePendingMs: 300,
};

let sandbox: SandboxHandle;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'cli-bake-built', timings: FAST });
});
afterAll(async () => sandbox.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qx-built-bake-'));
  sandbox.sim.reset();
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function projectFile(): Promise<string> {
  const file = join(dir, 'web.yaml');
  await writeFile(
    file,
    'name: web\nbaseImage:\n  kind: ssm\n  parameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\n' +
      'initScript: |\n  #!/bin/sh\n  echo "working"\n  sleep 3\n  echo "done"\n',
  );
  return file;
}

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
  child.stderr.on('data', (chunk) => (output.err += String(chunk)));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => (output.out += `${line}\n`));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const sawLine = (text: string) =>
    new Promise<void>((done) => {
      if (output.out.includes(text)) return done();
      const onLine = (line: string) => {
        if (!line.includes(text)) return;
        lines.off('line', onLine);
        done();
      };
      lines.on('line', onLine);
    });
  return { child, output, exited, sawLine };
}

const liveBuilders = () =>
  sandbox.sim
    .instances()
    .filter((i) => i.tags[TAG_ROLE] === 'builder' && !['shutting-down', 'terminated'].includes(i.state));

test('SIGKILL mid-bake leaves a builder; the next `quadraxis bake` resumes that bake on it', async () => {
  const file = await projectFile();
  const bakeArgs = ['bake', '--file', file, '--profile', 'sandbox', '--endpoint', sandbox.url];
  const first = quadraxis(bakeArgs);
  await first.sawLine('… Run init script');
  first.child.kill('SIGKILL');
  expect((await first.exited)[1]).toBe('SIGKILL');
  const [orphan] = liveBuilders();
  expect(orphan?.state).toBe('running');

  // The next run recovers first — the killed bake goes on waiting for its script on the same builder — and
  // its own, identical bake joins that one instead of launching a second builder.
  const second = quadraxis(bakeArgs);
  const [code] = await second.exited;
  expect(second.output.err).toMatch(/Recovered bk_\w+ \(web\) from an earlier run that stopped: resumed\./);
  expect(code).toBe(0);
  expect(sandbox.sim.calls({ action: 'RunInstances' })).toHaveLength(1);
  expect(liveBuilders()).toEqual([]);

  const list = quadraxis(['bakes', '--json']);
  expect((await list.exited)[0]).toBe(0);
  const [newest, killed] = JSON.parse(list.output.out) as BakeRecord[];
  expect(killed).toMatchObject({ status: 'succeeded', instanceId: orphan?.instanceId, cleanedUp: [] });
  expect(newest).toMatchObject({ status: 'succeeded', joinedTo: killed?.id, imageId: killed?.imageId });
  expect(second.output.out.trimEnd().split('\n').at(-1)).toBe(killed?.imageId);
  // One image, recorded once.
  expect(sandbox.sim.images().map((i) => i.imageId)).toEqual([killed?.imageId]);
});

test('a SIGKILLed bake lists as interrupted, not running, until `quadraxis bakes --recover` resumes it', async () => {
  const file = await projectFile();
  const first = quadraxis(['bake', '--file', file, '--profile', 'sandbox', '--endpoint', sandbox.url]);
  await first.sawLine('… Run init script');
  const pid = first.child.pid;
  first.child.kill('SIGKILL');
  expect((await first.exited)[1]).toBe('SIGKILL');
  const [builder] = liveBuilders();

  const table = quadraxis(['bakes']);
  expect((await table.exited)[0]).toBe(0);
  const [header, row] = table.output.out.split('\n');
  expect(header).toMatch(/^ID\s+PROJECT\s+STATUS/);
  expect(row).toMatch(/^bk_\w+\s+web\s+interrupted\*\s/);
  expect(row).not.toContain('running');
  expect(table.output.out).toContain('* The process running it is gone; not recovered yet.');
  expect(table.output.out).toContain('`quadraxis bakes --recover`');

  const json = quadraxis(['bakes', '--json']);
  expect((await json.exited)[0]).toBe(0);
  const [listed] = JSON.parse(json.output.out) as BakeRecord[];
  expect(listed).toMatchObject({
    status: 'interrupted',
    instanceId: builder?.instanceId,
    orphaned: { was: 'running', reason: 'dead-process', owner: { pid, actor: 'quadraxis CLI' } },
    message: expect.stringContaining(`quadraxis CLI (pid ${String(pid)}`),
  });
  // Listing is only looking: the journal still says running, the builder still runs, nothing was recovered.
  const raw = JSON.parse(
    await readFile(join(dir, 'data', 'bakes', listed!.id, 'record.json'), 'utf8'),
  ) as BakeRecord;
  expect(raw.status).toBe('running');
  expect(raw).not.toHaveProperty('orphaned');
  expect(liveBuilders().map((i) => i.instanceId)).toEqual([builder?.instanceId]);

  // --recover resumes it on the same builder and follows it to the end.
  const recover = quadraxis(['bakes', '--recover']);
  const [code] = await recover.exited;
  expect(code, recover.output.err).toBe(0);
  expect(recover.output.err).toMatch(/Recovered bk_\w+ \(web\) from an earlier run that stopped: resumed\./);
  expect(recover.output.out).toMatch(
    new RegExp(`^${listed!.id} \\(web\\): resumed\\. Succeeded in .*: ami-`, 'm'),
  );
  expect(sandbox.sim.calls({ action: 'RunInstances' })).toHaveLength(1);
  expect(liveBuilders()).toEqual([]);

  const after = quadraxis(['bakes', '--json']);
  expect((await after.exited)[0]).toBe(0);
  const [settled] = JSON.parse(after.output.out) as BakeRecord[];
  expect(settled).toMatchObject({ id: listed!.id, status: 'succeeded', instanceId: builder?.instanceId });
  expect(settled).not.toHaveProperty('orphaned');

  // Nothing left: a second --recover says so.
  const again = quadraxis(['bakes', '--recover']);
  expect((await again.exited)[0]).toBe(0);
  expect(again.output.out).toBe('No interrupted bakes: nothing to recover.\n');
});

test('SIGINT cancels: the builder is terminated before the command exits 130', async () => {
  const file = await projectFile();
  const run = quadraxis(['bake', '--file', file, '--profile', 'sandbox', '--endpoint', sandbox.url]);
  await run.sawLine('… Run init script');
  run.child.kill('SIGINT');
  const [code] = await run.exited;
  expect(code).toBe(130);
  expect(run.output.err).toContain('Cancelling');
  expect(run.output.err).toMatch(/Cancelled in \d+ s: The bake was cancelled\. Cleaned up: terminated i-/);
  expect(liveBuilders()).toEqual([]);
  expect(sandbox.sim.images()).toEqual([]);
});
