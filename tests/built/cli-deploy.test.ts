import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { AutoScalingClient, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { systemClock } from '../../src/main/services/clock';
import { createStore } from '../../src/main/services/store';
import { sandboxClientConfig, startSandbox, type SandboxHandle } from '../../src/sandbox';
import { stableId } from '../../src/sandbox/ids';
import { versionInput } from '../helpers/version-input';

/**
 * The real CLI bundle in its own process: `quadraxis deploy` follows the refresh, and Ctrl-C (SIGINT)
 * asks AWS to cancel it, waits for that, and exits 130.
 */
const BIN = resolve(__dirname, '..', '..', 'bin', 'quadraxis.cjs');
const REGION = 'eu-west-1';
const AMI_V1 = stableId('ami', REGION, 'al2023-ami-2023.5.20240916.0-kernel-6.1-x86_64');
const AMI_V2 = stableId('ami', REGION, 'al2023-ami-2023.6.20241031.0-kernel-6.1-x86_64');

let sandbox: SandboxHandle;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({
    seed: 'cli-deploy-built',
    timings: { pendingMs: 200, healthCheckMs: 200, instanceRefreshStartMs: 100, shuttingDownMs: 200 },
  });
  dir = await mkdtemp(join(tmpdir(), 'qx-built-deploy-'));
  const store = createStore({
    dataDir: join(dir, 'data'),
    clock: systemClock,
    logger: { warn: () => undefined },
  });
  await store.projects.create({
    name: 'web',
    region: REGION,
    baseImage: { kind: 'id', imageId: AMI_V1 },
    initScript: '#!/bin/sh\n',
    deploy: { targets: [{ group: 'web-asg' }] },
  });
  await store.versions.record(
    versionInput('web', { region: REGION, imageId: AMI_V1, bakeId: 'bk_0000000001aaaaaaaaaa' }),
  );
  await store.versions.record(
    versionInput('web', { region: REGION, imageId: AMI_V2, bakeId: 'bk_0000000002aaaaaaaaaa' }),
  );
  const config = sandboxClientConfig(sandbox, { region: REGION });
  const ec2 = new EC2Client(config);
  const asg = new AutoScalingClient(config);
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
      AvailabilityZones: [`${REGION}a`],
    }),
  );
  ec2.destroy();
  asg.destroy();
});
afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

test('SIGINT asks AWS to cancel the refresh, then the command exits 130', async () => {
  const child = spawn(
    process.execPath,
    [
      BIN,
      '--data-dir',
      join(dir, 'data'),
      'deploy',
      'web',
      '--warmup',
      '30',
      '--profile',
      'sandbox',
      '--endpoint',
      sandbox.url,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // The CLI silences the SDK's Node version warning itself; the test's own setting must not hide that.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined,
        QUADRAXIS_POLL_MS: '100',
        AWS_CONFIG_FILE: join(dir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      },
    },
  );
  let err = '';
  child.stderr.on('data', (chunk) => (err += String(chunk)));
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await new Promise<void>((done) =>
    lines.on('line', (line) => line.startsWith('Refresh InProgress') && done()),
  );
  child.kill('SIGINT');
  const [code] = await exited;
  expect(code).toBe(130);
  expect(err).toContain('Cancelling the instance refresh');
  expect(sandbox.sim.calls({ action: 'CancelInstanceRefresh' })).toHaveLength(1);
  expect(sandbox.sim.instanceRefreshes().at(-1)?.status).toBe('Cancelled');
  // What users read carries no AWS SDK warning about the Node version.
  expect(err).not.toContain('NodeVersionSupportWarning');
});
