import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { runBake } from '../../../src/cli/commands/bake';
import { createRuntime } from '../../../src/main/runtime/runtime';
import { systemClock } from '../../../src/main/services/clock';
import { silentLogger } from '../../../src/main/services/logger';
import { parseProjectText } from '../../../src/main/services/store';
import { runCli, type CliIO } from '../../../src/cli/program';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox';
import { TAG_ROLE } from '../../../src/protocol/builder-tags';
import { BakeEventSchema } from '../../../src/shared/bake';

/**
 * The CLI in-process against a real-time sandbox with timings of a few hundred milliseconds, polling every
 * 100 ms (QUADRAXIS_POLL_MS), so a whole bake takes about a second.
 */
let sandbox: SandboxHandle;
let dir: string;
const FAST = {
  pendingMs: 100,
  bootMs: 100,
  scriptDefaultMs: 100,
  shutdownDelayMs: 50,
  stoppingMs: 100,
  shuttingDownMs: 100,
  imagePendingMs: 200,
};

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'cli-bake', timings: FAST });
});
afterAll(async () => sandbox.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qx-cli-bake-'));
  sandbox.sim.reset();
});
afterEach(async () => {
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

function io(): CliIO & { out: string; err: string } {
  const captured = {
    out: '',
    err: '',
    stdout: (text: string) => void (captured.out += text),
    stderr: (text: string) => void (captured.err += text),
    env: {
      QUADRAXIS_POLL_MS: '100',
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    },
  };
  return captured;
}

async function projectFile(
  script = '#!/bin/sh\necho "hello from the builder"\n',
  more = '',
): Promise<string> {
  const file = join(dir, 'web.yaml');
  const body = script
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  await writeFile(
    file,
    `name: web\nbaseImage:\n  kind: ssm\n  parameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\n${more}initScript: |\n${body}\n`,
  );
  return file;
}

const args = (file: string, ...more: string[]) => [
  '--data-dir',
  join(dir, 'data'),
  'bake',
  '--file',
  file,
  '--profile',
  'sandbox',
  '--endpoint',
  sandbox.url,
  ...more,
];
const liveBuilders = () =>
  sandbox.sim
    .instances()
    .filter((i) => i.tags[TAG_ROLE] === 'builder' && !['shutting-down', 'terminated'].includes(i.state));

test('bakes, shows the steps, and ends stdout with the AMI id', async () => {
  const out = io();
  expect(await runCli(args(await projectFile()), out)).toBe(0);
  const lines = out.out.trimEnd().split('\n');
  const [image] = sandbox.sim.images();
  expect(lines.at(-1)).toBe(image?.imageId);
  expect(out.out).toContain('✓ Run init script');
  expect(out.out).toContain('  │ ');
  expect(out.out).toMatch(/Succeeded in \d+ s: ami-\w+ "web-\d{8}-\d{6}", version 1 \(simulated/);
  expect(liveBuilders()).toEqual([]);
});

test('streams the builder console while the script runs (GetConsoleOutput is otherwise read once)', async () => {
  const out = io();
  const file = await projectFile('#!/bin/sh\necho "first"\nsleep 1\necho "second"\n');
  expect(await runCli(args(file), out)).toBe(0);
  expect(sandbox.sim.calls({ action: 'GetConsoleOutput' }).length).toBeGreaterThan(2);
  const consoleLines = out.out.split('\n').filter((l) => l.startsWith('  │ '));
  const at = (text: string) => consoleLines.findIndex((l) => l.endsWith(text));
  expect(at('first')).toBeGreaterThanOrEqual(0);
  expect(at('first')).toBeLessThan(at('second'));
});

test('--json prints one BakeEvent per line, ending with `finished`', async () => {
  const out = io();
  expect(await runCli(args(await projectFile(), '--json'), out)).toBe(0);
  const events = out.out
    .trimEnd()
    .split('\n')
    .map((line) => BakeEventSchema.parse(JSON.parse(line)));
  expect(events[0]?.type).toBe('created');
  const last = events.at(-1);
  expect(last?.type === 'finished' && last.record.status).toBe('succeeded');
});

test('a failing script exits 1 with the reason; cleanup is reported', async () => {
  const out = io();
  expect(await runCli(args(await projectFile('#!/bin/sh\necho "nope"\nexit 3\n')), out)).toBe(1);
  expect(out.err).toMatch(
    /error: Failed in \d+ s: The init script failed with exit code 3\. Cleaned up: terminated i-/,
  );
  expect(out.out).toContain('✗ Run init script');
  expect(out.out).toContain('  last console lines:');
  expect(liveBuilders()).toEqual([]);
});

test('cloud-init warnings: listed as they come, in the outcome line and in --json; they fail the bake unless accepted', async () => {
  const ubuntu = (file: string, text: string) =>
    writeFile(
      file,
      text.replace(
        '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
        '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
      ),
    );
  const config = '#cloud-config\npakages: [nginx]\n';
  // Three bakes within a second: each image named by its bake, not by the second it was made in.
  const named = "imageName: '{project}-{bakeId}'\n";
  const accepting = await projectFile(
    config,
    `${named}completion:\n  mode: wrapper\n  cloudConfigWarnings: accept\n`,
  );
  await ubuntu(accepting, await readFile(accepting, 'utf8'));
  const out = io();
  expect(await runCli(args(accepting), out)).toBe(0);
  expect(out.out).toContain('! cloud-init reported 2 warnings (recoverable errors):');
  expect(out.out).toContain(
    "  ! SCHEMA: Cloud config schema errors: pakages: Additional properties are not allowed ('pakages' was unexpected)",
  );
  expect(out.out).toMatch(/Succeeded with 2 cloud-init warnings in \d+ s: ami-\w+/);
  expect(out.out.trimEnd().split('\n').at(-1)).toMatch(/^ami-\w+$/);

  const json = io();
  // The same inputs again: an identical image exists, so --force.
  expect(await runCli(args(accepting, '--json', '--force'), json)).toBe(0);
  const events = json.out
    .trimEnd()
    .split('\n')
    .map((line) => BakeEventSchema.parse(JSON.parse(line)));
  const warned = events.find((e) => e.type === 'warnings');
  expect(warned?.type === 'warnings' && warned.warnings.map((w) => w.level)).toEqual(['WARNING', 'SCHEMA']);
  const last = events.at(-1);
  expect(last?.type === 'finished' && last.record.warnings).toHaveLength(2);

  const failing = await projectFile(config, named);
  await ubuntu(failing, await readFile(failing, 'utf8'));
  const refused = io();
  expect(await runCli(args(failing, '--force'), refused)).toBe(1);
  expect(refused.err).toMatch(
    /error: Failed in \d+ s: cloud-init finished the #cloud-config with 2 warnings/,
  );
  expect(liveBuilders()).toEqual([]);
});

test('bad input exits 2: a missing file, an unknown profile, a project EC2 would refuse', async () => {
  expect(await runCli(args(join(dir, 'missing.yaml')), io())).toBe(2);
  const file = await projectFile();
  const unknown = io();
  expect(
    await runCli(['--data-dir', join(dir, 'data'), 'bake', '--file', file, '--profile', 'nope'], unknown),
  ).toBe(2);
  expect(unknown.err).toContain('Unknown profile "nope"');
  const arm = io();
  expect(await runCli(args(await projectFile(undefined, 'instanceType: t4g.micro\n')), arm)).toBe(2);
  expect(arm.err).toContain('runs arm64');
  expect(sandbox.sim.calls({ action: 'RunInstances' })).toEqual([]);
});

test('Ctrl-C cancels: the bake cleans up and the command ends with 130', async () => {
  const out = io();
  const interrupt = new AbortController();
  const file = await projectFile('#!/bin/sh\nsleep 30\n');
  const watch = {
    ...out,
    stdout: (text: string) => (out.stdout(text), text.includes('… Run init script') && interrupt.abort()),
  };
  const command = { optsWithGlobals: () => ({ dataDir: join(dir, 'data') }) } as unknown as Command;
  const code = await runBake(
    command,
    watch,
    undefined,
    { file, profile: 'sandbox', endpoint: sandbox.url },
    interrupt.signal,
  );
  expect(code).toBe(130);
  expect(out.err).toMatch(/Cancelled in \d+ s: The bake was cancelled\. Cleaned up: terminated i-/);
  expect(liveBuilders()).toEqual([]);
});

test('a bake an earlier run left is resumed first; an identical bake joins it; stdout follows only its own', async () => {
  const file = await projectFile('#!/bin/sh\necho "slow"\nsleep 1\n');
  // An earlier process (the app, another CLI) quit mid-script, leaving the bake for the next start.
  const earlier = createRuntime({
    dataDir: join(dir, 'data'),
    clock: systemClock,
    logger: silentLogger,
    actor: 'earlier run',
    env: io().env,
    pollIntervalMs: 100,
  });
  const running = new Promise<string>((resolve) =>
    earlier.engine.subscribe((e) => {
      if (e.type === 'step' && e.step === 'run-script' && e.status === 'running') resolve(e.bakeId);
    }),
  );
  const project = parseProjectText(await readFile(file, 'utf8'), { source: file });
  await earlier.engine.start({ project, profile: 'sandbox', endpoint: sandbox.url, trigger: 'app' });
  const left = await running;
  await earlier.close();

  const out = io();
  expect(await runCli(args(file, '--json'), out)).toBe(0);
  expect(out.err).toContain(`Recovered ${left} (web) from an earlier run that stopped: resumed.`);
  const events = out.out
    .trimEnd()
    .split('\n')
    .map((line) => BakeEventSchema.parse(JSON.parse(line)));
  const own = events[0]?.bakeId;
  expect(events.every((e) => e.bakeId === own)).toBe(true);
  const last = events.at(-1);
  expect(last?.type === 'finished' && last.record).toMatchObject({ status: 'succeeded', joinedTo: left });
  expect(sandbox.sim.calls({ action: 'RunInstances' })).toHaveLength(1);
  expect(liveBuilders()).toEqual([]);
});

test('sweep --yes --json terminates orphaned builders and reports them', async () => {
  // An orphan: a builder tagged like ours that no bake owns (as after a crash on another machine).
  const config = {
    endpoint: sandbox.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  };
  const ssm = new SSMClient(config);
  const ec2 = new EC2Client(config);
  const parameter = await ssm.send(
    new GetParameterCommand({
      Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    }),
  );
  const orphan = await ec2.send(
    new RunInstancesCommand({
      ImageId: parameter.Parameter!.Value!,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: TAG_ROLE, Value: 'builder' }] }],
    }),
  );
  ssm.destroy();
  ec2.destroy();
  const out = io();
  const argv = [
    '--data-dir',
    join(dir, 'data'),
    'sweep',
    '--profile',
    'sandbox',
    '--region',
    'us-east-1',
    '--endpoint',
    sandbox.url,
  ];
  expect(await runCli([...argv, '--yes', '--json'], out)).toBe(0);
  const report = JSON.parse(out.out) as { terminated: string[]; confirmed: boolean };
  expect(report).toMatchObject({ confirmed: true, terminated: [orphan.Instances?.[0]?.InstanceId] });
  expect(liveBuilders()).toEqual([]);
  const again = io();
  expect(await runCli(argv, again)).toBe(0);
  expect(again.out).toBe('No orphaned builders in us-east-1.\n');
});

test('--env bakes a named environment (its values and launch settings); an unknown one exits 2 before any call', async () => {
  const more =
    'env:\n  APP_MODE: base\nenvironments:\n  prod:\n    env: { APP_MODE: production }\n    instanceType: t3.small\n';
  const file = await projectFile('#!/bin/sh\necho "mode=$APP_MODE"\n', more);
  const unknown = io();
  expect(await runCli(args(file, '--env', 'staging'), unknown)).toBe(2);
  expect(unknown.err).toContain('web has no environment named staging (environments: prod)');
  expect(sandbox.sim.calls()).toEqual([]);
  const out = io();
  expect(await runCli(args(file, '--env', 'prod'), out)).toBe(0);
  expect(out.out).toContain('mode=production');
  expect(sandbox.sim.instances()[0]?.instanceType).toBe('t3.small');
});

test('a bake of an environment names it: the header, the outcome line (success and failure), `bakes` and --json', async () => {
  // Four bakes within seconds: each image named by its bake, not by the second it was made in.
  const more = "imageName: '{project}-{bakeId}'\nenvironments:\n  prod:\n    instanceType: t3.small\n";
  const file = await projectFile('#!/bin/sh\necho "hello"\n', more);
  const out = io();
  expect(await runCli(args(file, '--env', 'prod'), out)).toBe(0);
  const lines = out.out.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^Bake bk_\w+: web \(environment prod\) with profile sandbox in us-east-1$/);
  expect(lines.at(-2)).toMatch(/^Succeeded in \d+ s \(environment prod\): ami-\w+ "web-bk_\w+", version 1/);

  const json = io();
  expect(await runCli(args(file, '--env', 'prod', '--json', '--force'), json)).toBe(0);
  const events = json.out
    .trimEnd()
    .split('\n')
    .map((line) => BakeEventSchema.parse(JSON.parse(line)));
  expect(events[0]?.type === 'created' && events[0].record.environment).toBe('prod');
  const last = events.at(-1);
  expect(last?.type === 'finished' && last.record.environment).toBe('prod');

  // One bake of the project's own values: its row says nothing of an environment.
  const plain = io();
  expect(await runCli(args(file, '--force'), plain)).toBe(0);
  expect(plain.out).not.toContain('environment');

  // (It rewrites the same project file: the bakes above are done with it.)
  const failing = await projectFile('#!/bin/sh\necho "nope"\nexit 3\n', more);
  const refused = io();
  expect(await runCli(args(failing, '--env', 'prod'), refused)).toBe(1);
  expect(refused.err).toMatch(
    /error: Failed in \d+ s \(environment prod\): The init script failed with exit code 3/,
  );

  const list = io();
  expect(await runCli(['--data-dir', join(dir, 'data'), 'bakes'], list)).toBe(0);
  const [header, ...rows] = list.out.trimEnd().split('\n');
  expect(header).toMatch(/^ID +PROJECT +ENVIRONMENT +STATUS +STARTED/);
  expect(rows.map((row) => row.split(/ +/).slice(1, 4))).toEqual([
    ['web', 'prod', 'failed'],
    ['web', '-', 'succeeded'],
    ['web', 'prod', 'succeeded'],
    ['web', 'prod', 'succeeded'],
  ]);
  const listed = io();
  expect(await runCli(['--data-dir', join(dir, 'data'), 'bakes', '--json'], listed)).toBe(0);
  const records = JSON.parse(listed.out) as { id: string; environment?: string }[];
  expect(records.map((b) => b.environment ?? '-')).toEqual(['prod', '-', 'prod', 'prod']);
  // A page without any bake of an environment keeps the table's old columns.
  const own = io();
  const page = ['bakes', '--limit', '1', '--before', records[0]!.id];
  expect(await runCli(['--data-dir', join(dir, 'data'), ...page], own)).toBe(0);
  expect(own.out).toContain(records[1]!.id);
  expect(own.out.split('\n')[0]).toMatch(/^ID +PROJECT +STATUS +STARTED/);
});
