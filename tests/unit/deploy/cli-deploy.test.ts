import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { runDeploy } from '../../../src/cli/commands/deploy';
import { runCli, type CliIO } from '../../../src/cli/program';
import { systemClock } from '../../../src/main/services/clock';
import { createStore } from '../../../src/main/services/store';
import { DeployEventSchema, type Deployment } from '../../../src/shared/deploy';
import { sandboxClientConfig, startSandbox, type SandboxHandle } from '../../../src/sandbox';
import { stableId } from '../../../src/sandbox/ids';
import { versionInput } from '../../helpers/version-input';

/**
 * `quadraxis deploy`, `deployments`, `rollback` and `bake --deploy` in-process against a real-time Sandbox
 * whose instances run and pass their health checks within a few hundred milliseconds, polled every 100 ms.
 */
const REGION = 'eu-west-1';
const AMI_V1 = stableId('ami', REGION, 'al2023-ami-2023.5.20240916.0-kernel-6.1-x86_64');
const AMI_V2 = stableId('ami', REGION, 'al2023-ami-2023.6.20241031.0-kernel-6.1-x86_64');
let sandbox: SandboxHandle;
let dir: string;
let ec2: EC2Client;
let asg: AutoScalingClient;

beforeAll(async () => {
  sandbox = await startSandbox({
    seed: 'cli-deploy',
    timings: {
      pendingMs: 100,
      bootMs: 100,
      scriptDefaultMs: 100,
      shutdownDelayMs: 50,
      stoppingMs: 100,
      shuttingDownMs: 100,
      imagePendingMs: 200,
      healthCheckMs: 150,
      instanceRefreshStartMs: 100,
    },
  });
  const config = sandboxClientConfig(sandbox, { region: REGION });
  ec2 = new EC2Client(config);
  asg = new AutoScalingClient(config);
});
afterAll(async () => {
  ec2.destroy();
  asg.destroy();
  await sandbox.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qx-cli-deploy-'));
  sandbox.sim.reset();
  const store = createStore({
    dataDir: join(dir, 'data'),
    clock: systemClock,
    logger: { warn: () => undefined },
  });
  await store.projects.create({
    name: 'web',
    region: REGION,
    baseImage: {
      kind: 'ssm',
      parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    },
    initScript: '#!/bin/sh\necho hi\n',
    deploy: { targets: [{ group: 'web-asg' }], preferences: { instanceWarmupSeconds: 0 } },
  });
  await store.versions.record(
    versionInput('web', { region: REGION, imageId: AMI_V1, bakeId: 'bk_0000000001aaaaaaaaaa' }),
  );
  await store.versions.record(
    versionInput('web', { region: REGION, imageId: AMI_V2, bakeId: 'bk_0000000002aaaaaaaaaa' }),
  );
  const template = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web',
      LaunchTemplateData: { ImageId: AMI_V1, InstanceType: 't3.micro' },
    }),
  );
  await asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web-asg',
      LaunchTemplate: { LaunchTemplateId: template.LaunchTemplate!.LaunchTemplateId!, Version: '1' },
      MinSize: 4,
      MaxSize: 8,
      AvailabilityZones: [`${REGION}a`, `${REGION}b`],
    }),
  );
  await until(async () => (await images()).filter((i) => i === AMI_V1).length === 4);
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

const deployArgs = (...more: string[]) => [
  '--data-dir',
  join(dir, 'data'),
  'deploy',
  'web',
  '--version',
  '2',
  '--asg',
  'web-asg',
  '--min-healthy',
  '75',
  '--profile',
  'sandbox',
  '--endpoint',
  sandbox.url,
  ...more,
];

async function images(): Promise<string[]> {
  const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }));
  return (out.AutoScalingGroups?.[0]?.Instances ?? [])
    .filter((i) => i.LifecycleState === 'InService')
    .map((i) => i.ImageId ?? '');
}

async function until(test: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await test()); i++) await new Promise((r) => setTimeout(r, 50));
}

test('deploys, prints the refresh and each instance as it changes, and exits 0', async () => {
  const out = io();
  expect(await runCli(deployArgs(), out)).toBe(0);
  expect(out.out).toMatch(
    /Deploying web version 2 \(ami-\w+\) to web-asg in eu-west-1 with profile sandbox \(sandbox\): dp_/,
  );
  expect(out.out).toContain('min healthy 75 %, warmup 0 s');
  expect(out.out).toMatch(/Refresh InProgress 25 % \(3 to update\)/);
  expect(out.out).toMatch(/i-\w+ InService Healthy ami-\w+ \(v1\) → Terminating/);
  expect(out.out).toMatch(/new: Pending Healthy ami-\w+ \(v2\)/);
  expect(out.out).toContain('succeeded: web-asg runs web version 2');
  expect(await images()).toEqual([AMI_V2, AMI_V2, AMI_V2, AMI_V2]);

  const listed = io();
  // --data-dir works after the subcommand too (program options are positional since deploy has --version).
  expect(await runCli(['deployments', 'web', '--data-dir', join(dir, 'data')], listed)).toBe(0);
  expect(listed.out).toMatch(/^ID\s+STARTED\s+VERSION\s+GROUP\s+REGION\s+STATUS\s+BY\s+AMI\n/);
  expect(listed.out).toMatch(
    /dp_\w+\s+\S+ \S+\s+v2\s+web-asg\s+eu-west-1\s+succeeded \(Successful\)\s+\S+@\S+ via quadraxis CLI/,
  );
});

test('--json prints one DeployEvent per line; unhealthy new instances end rolled back with exit 1', async () => {
  sandbox.sim.setUnhealthyImages([AMI_V2]);
  const out = io();
  expect(await runCli(deployArgs('--json'), out)).toBe(1);
  const events = out.out
    .trimEnd()
    .split('\n')
    .map((line) => DeployEventSchema.parse(JSON.parse(line)));
  expect(events[0]?.type).toBe('created');
  const last = events.at(-1);
  expect(last?.type === 'finished' && last.record).toMatchObject({
    status: 'rolled-back',
    refresh: { status: 'RollbackSuccessful' },
  });
  expect(await images()).toEqual([AMI_V1, AMI_V1, AMI_V1, AMI_V1]);
});

test('Ctrl-C asks AWS to cancel the refresh and exits 130', async () => {
  const out = io();
  const interrupt = new AbortController();
  const watch = {
    ...out,
    stdout: (text: string) => (out.stdout(text), /Refresh InProgress/.test(text) && interrupt.abort()),
  };
  const command = { optsWithGlobals: () => ({ dataDir: join(dir, 'data') }) } as unknown as Command;
  const code = await runDeploy(
    command,
    watch,
    'web',
    { version: '2', asg: 'web-asg', profile: 'sandbox', endpoint: sandbox.url, warmup: '5' },
    interrupt.signal,
  );
  expect(code).toBe(130);
  expect(sandbox.sim.calls({ action: 'CancelInstanceRefresh' })).toHaveLength(1);
  expect(out.err).toContain('cancelled: The instance refresh was cancelled');
});

test('refused before anything changes: exit 1 with the reason; bad flags exit 2', async () => {
  await asg.send(
    new StartInstanceRefreshCommand({ AutoScalingGroupName: 'web-asg', Preferences: { InstanceWarmup: 60 } }),
  );
  const refused = io();
  expect(await runCli(deployArgs(), refused)).toBe(1);
  expect(refused.err).toMatch(/refused: Group web-asg already has instance refresh/);
  expect(sandbox.sim.calls({ action: 'CreateLaunchTemplateVersion' })).toEqual([]);

  const bad = io();
  expect(await runCli(deployArgs('--min-healthy', '120'), bad)).toBe(2);
  expect(bad.err).toContain('--min-healthy is at most 100');
});

test('rollback returns the group to what it ran before', async () => {
  expect(await runCli(deployArgs(), io())).toBe(0);
  const listed = io();
  await runCli(['--data-dir', join(dir, 'data'), 'deployments', 'web', '--json'], listed);
  const [deployment] = JSON.parse(listed.out) as Deployment[];
  const out = io();
  expect(await runCli(['--data-dir', join(dir, 'data'), 'rollback', deployment!.id], out)).toBe(0);
  expect(out.out).toMatch(/Rolling web-asg back to ami-\w+/);
  expect(await images()).toEqual([AMI_V1, AMI_V1, AMI_V1, AMI_V1]);
});

test('bake --deploy deploys the new version when the bake succeeds, and a failing bake deploys nothing', async () => {
  const file = join(dir, 'web.yaml');
  const write = (script: string) =>
    writeFile(
      file,
      [
        'name: web',
        `region: ${REGION}`,
        'baseImage:',
        '  kind: ssm',
        '  parameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
        'deploy:',
        '  targets: [{ group: web-asg }]',
        '  preferences: { minHealthyPercentage: 50, instanceWarmupSeconds: 0 }',
        'initScript: |',
        ...script.split('\n').map((l) => `  ${l}`),
      ].join('\n'),
    );
  const bake = (...more: string[]) =>
    runCli(
      [
        '--data-dir',
        join(dir, 'data'),
        'bake',
        '--file',
        file,
        '--profile',
        'sandbox',
        '--endpoint',
        sandbox.url,
        '--deploy',
        ...more,
      ],
      out,
    );

  let out = io();
  await write('#!/bin/sh\nexit 4\n');
  expect(await bake()).toBe(1);
  expect(sandbox.sim.calls({ action: 'StartInstanceRefresh' })).toEqual([]);
  expect(sandbox.sim.calls({ action: 'CreateLaunchTemplateVersion' })).toEqual([]);

  out = io();
  await write('#!/bin/sh\necho ready\n');
  expect(await bake()).toBe(0);
  const [baked] = sandbox.sim
    .images()
    .filter((i) => i.ownerId === sandbox.sim.accountId && i.state === 'available');
  expect(out.out).toContain(`Deploying web version 3 (${baked!.imageId}) to web-asg`);
  expect(out.out).toContain('succeeded: web-asg runs web version 3');
  expect(await images()).toEqual([baked!.imageId, baked!.imageId, baked!.imageId, baked!.imageId]);
});
