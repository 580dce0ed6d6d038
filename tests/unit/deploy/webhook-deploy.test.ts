import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/main/runtime/runtime';
import { systemClock } from '../../../src/main/services/clock';
import { silentLogger } from '../../../src/main/services/logger';
import {
  keyFileBox,
  openWebhookState,
  startWebhookServer,
  type WebhookServer,
} from '../../../src/main/services/webhook';
import { sandboxClientConfig } from '../../../src/sandbox';
import { stableId } from '../../../src/sandbox/ids';
import { sandboxRuntime } from '../../helpers/sandbox-runtime';
import { postGithub, projectInput, pushPayload } from '../webhook/helpers';

/**
 * "A webhook push with deploy enabled bakes and deploys; a failing script bakes nothing and deploys
 * nothing": the real listener, the runtime the app and `quadraxis serve` run, a real-time Sandbox.
 */
const REGION = 'eu-west-1';
const AMI_V1 = stableId('ami', REGION, 'al2023-ami-2023.5.20240916.0-kernel-6.1-x86_64');
let dataDir: string;
let runtime: Runtime;
let server: WebhookServer;
let secret: string;
let asg: AutoScalingClient;
let ec2: EC2Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'qx-webhook-deploy-'));
  runtime = sandboxRuntime(dataDir, {
    actor: 'webhook server',
    seed: 'webhook-deploy',
    sandbox: {
      timings: {
        pendingMs: 20,
        bootMs: 20,
        scriptDefaultMs: 40,
        shutdownDelayMs: 10,
        stoppingMs: 20,
        shuttingDownMs: 20,
        imagePendingMs: 40,
        healthCheckMs: 50,
        instanceRefreshStartMs: 20,
      },
    },
    pollIntervalMs: 25,
  });
  const state = openWebhookState({
    dataDir,
    box: keyFileBox(join(dataDir, 'webhook', 'secret.key')),
    clock: systemClock,
  });
  server = await startWebhookServer(
    {
      state,
      projects: runtime.store.projects,
      bakes: runtime.store.bakes,
      engine: runtime.engine,
      clock: systemClock,
      logger: silentLogger,
      defaultProfile: () => 'sandbox',
    },
    { port: 0 },
  );
  const handle = await runtime.sandbox.ensure();
  const config = sandboxClientConfig(handle, { region: REGION });
  ec2 = new EC2Client(config);
  asg = new AutoScalingClient(config);
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
      MinSize: 2,
      MaxSize: 4,
      AvailabilityZones: [`${REGION}a`],
    }),
  );
  await runtime.store.projects.create(
    projectInput('web', {
      deploy: {
        targets: [{ group: 'web-asg' }],
        preferences: { minHealthyPercentage: 50, instanceWarmupSeconds: 0 },
        afterWebhookBake: true,
      },
    }),
  );
  secret = await state.triggers.rotate('web', 'github');
});
afterAll(async () => {
  ec2?.destroy();
  asg?.destroy();
  await server?.close();
  await runtime?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function groupImages(): Promise<string[]> {
  const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }));
  return (out.AutoScalingGroups?.[0]?.Instances ?? [])
    .filter((i) => i.LifecycleState === 'InService')
    .map((i) => i.ImageId!);
}

describe('a webhook push to a project that deploys after webhook bakes', () => {
  it('a failing script bakes nothing and deploys nothing', async () => {
    const project = (await runtime.store.projects.get('web'))!;
    await runtime.store.projects.save(
      { ...project.project, initScript: '#!/bin/sh\necho broken\nexit 2\n' },
      { revision: project.revision },
    );
    const response = await postGithub(server.url, 'web', {
      secret,
      payload: pushPayload('main'),
      delivery: 'd-fail',
    });
    expect(response.status).toBe(202);
    const { bakeId } = (await response.json()) as { bakeId: string };
    const outcome = await runtime.afterBake.outcome(bakeId);
    expect(outcome).toMatchObject({ bake: 'failed', started: [], refused: [] });
    expect(await runtime.store.deployments.list('web')).toEqual([]);
    expect(runtime.sandbox.running!.sim.calls({ action: 'StartInstanceRefresh' })).toEqual([]);
  });

  it('bakes, then deploys the new version to the project’s group', async () => {
    const project = (await runtime.store.projects.get('web'))!;
    await runtime.store.projects.save(
      { ...project.project, initScript: '#!/bin/sh\necho hello\n' },
      { revision: project.revision },
    );
    const response = await postGithub(server.url, 'web', {
      secret,
      payload: pushPayload('main'),
      delivery: 'd-ok',
    });
    expect(response.status).toBe(202);
    const { bakeId } = (await response.json()) as { bakeId: string };
    const outcome = await runtime.afterBake.outcome(bakeId);
    expect(outcome?.bake).toBe('succeeded');
    expect(outcome?.started).toHaveLength(1);
    const final = await runtime.deploy.waitForFinal(outcome!.started[0]!.id);
    const bake = await runtime.engine.get(bakeId);
    expect(final).toMatchObject({
      status: 'succeeded',
      trigger: 'webhook',
      version: bake!.version,
      imageId: bake!.imageId,
    });
    expect(final.by.actor).toBe('webhook server');
    expect(await groupImages()).toEqual([bake!.imageId, bake!.imageId]);
  });

  it('a push that bakes the dev environment does not roll its image out to the group of the own values', async () => {
    const project = (await runtime.store.projects.get('web'))!;
    await runtime.store.projects.save(
      {
        ...project.project,
        environments: { dev: { env: { APP_MODE: 'dev' } } },
        triggers: { branches: ['main', 'develop'], environments: { develop: 'dev' } },
      },
      { revision: project.revision },
    );
    const before = await groupImages();
    const refreshes = runtime.sandbox.running!.sim.calls({ action: 'StartInstanceRefresh' }).length;
    const response = await postGithub(server.url, 'web', {
      secret,
      payload: pushPayload('develop'),
      delivery: 'd-dev',
    });
    expect(response.status).toBe(202);
    const { bakeId } = (await response.json()) as { bakeId: string };
    const bake = await runtime.engine.waitForFinal(bakeId);
    expect(bake).toMatchObject({ status: 'succeeded', environment: 'dev' });
    // The bake was not started to deploy: web-asg is for the project's own values, not for dev.
    expect(runtime.afterBake.outcome(bakeId)).toBeUndefined();
    expect(runtime.sandbox.running!.sim.calls({ action: 'StartInstanceRefresh' })).toHaveLength(refreshes);
    expect(await groupImages()).toEqual(before);
    expect(before).not.toContain(bake.imageId);
  });
});
