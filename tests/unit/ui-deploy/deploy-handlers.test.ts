import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/services/clock';
import { clockTrackingExtension, sandboxClientConfig } from '../../../src/sandbox';
import { stableId } from '../../../src/sandbox/ids';
import type { DeployEvent } from '../../../src/shared/deploy';
import { openAppFixture, type AppFixture } from '../../helpers/app-fixture';
import { T0 } from '../../helpers/bake-record';
import { FAST_BAKE_TIMINGS } from '../../helpers/sandbox-timings';
import { versionInput } from '../../helpers/version-input';

const REGION = 'eu-west-1';
const AMI_V1 = stableId('ami', REGION, 'al2023-ami-2023.5.20240916.0-kernel-6.1-x86_64');
const AMI_V2 = stableId('ami', REGION, 'al2023-ami-2023.6.20241031.0-kernel-6.1-x86_64');

let clock: VirtualClock;
let app: AppFixture;
let events: DeployEvent[];

beforeEach(async () => {
  clock = new VirtualClock(T0);
  events = [];
  app = await openAppFixture({
    clock,
    runtime: {
      sandbox: { clock, seed: 'ui-deploy', timings: FAST_BAKE_TIMINGS },
      clientConfig: { retryMode: 'standard', extensions: [clockTrackingExtension(clock)] },
    },
    onEvent: (channel, payload) => channel === 'deploy:event' && events.push(payload as DeployEvent),
  });
  app.ctx.settings.update({ profile: 'sandbox' });
  const { store } = app.ctx.runtime;
  await store.projects.create({
    name: 'web',
    region: REGION,
    baseImage: { kind: 'id', imageId: AMI_V1 },
    initScript: '#!/bin/sh\necho hi\n',
    deploy: { targets: [{ group: 'web-asg' }], preferences: { instanceWarmupSeconds: 10 } },
  });
  await store.versions.record(
    versionInput('web', { region: REGION, imageId: AMI_V1, bakeId: 'bk_0000000001aaaaaaaaaa' }),
  );
  await store.versions.record(
    versionInput('web', { region: REGION, imageId: AMI_V2, bakeId: 'bk_0000000002aaaaaaaaaa' }),
  );
  const handle = await app.ctx.runtime.sandbox.ensure();
  const config = { ...sandboxClientConfig(handle, { region: REGION, clock }), maxAttempts: 1 };
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
      MinSize: 2,
      MaxSize: 4,
      AvailabilityZones: [`${REGION}a`],
    }),
  );
  ec2.destroy();
  asg.destroy();
  clock.startAuto();
});

afterEach(async () => {
  await app.close();
  clock.stopAuto();
});

describe('deploy IPC', () => {
  it('names the project’s targets and the defaults the dialog starts from', async () => {
    expect(await app.value('deploy:targets', { project: 'web' })).toEqual({
      targets: [{ group: 'web-asg', region: REGION }],
      profile: 'sandbox',
      region: REGION,
    });
  });

  it('previews what the confirmation names, changing nothing', async () => {
    const preview = await app.value('deploy:preview', { project: 'web', group: 'web-asg' });
    expect(preview).toMatchObject({
      version: 2,
      group: 'web-asg',
      region: REGION,
      profile: 'sandbox',
      desiredCapacity: 2,
      currentImageId: AMI_V1,
      newImageId: AMI_V2,
      launchTemplate: { name: 'web', groupVersion: '1', currentVersion: 1 },
      rollbackMode: 'aws',
      preferences: { minHealthyPercentage: 90, instanceWarmupSeconds: 10, autoRollback: true },
    });
    expect(app.ctx.runtime.sandbox.running!.sim.calls({ action: 'CreateLaunchTemplateVersion' })).toEqual([]);
  });

  it('starts, streams deploy:event to the window, and lists the history', async () => {
    const started = await app.value('deploy:start', {
      project: 'web',
      group: 'web-asg',
      preferences: { minHealthyPercentage: 50 },
    });
    expect(started.status).toBe('running');
    const final = await app.ctx.runtime.deploy.waitForFinal(started.id);
    expect(final.status).toBe('succeeded');
    expect(events.filter((e) => e.deployId === started.id).map((e) => e.type)).toEqual(
      expect.arrayContaining(['created', 'step', 'template', 'refresh', 'instances', 'finished']),
    );
    expect((await app.value('deploy:list', { project: 'web' })).map((d) => d.id)).toEqual([started.id]);
    expect(await app.value('deploy:get', started.id)).toMatchObject({ status: 'succeeded', trigger: 'app' });
  });

  it('refuses bad input at the boundary and answers a refusal as CONFLICT with words', async () => {
    const bad = await app.call('deploy:start', {
      project: 'web',
      group: '',
      preferences: { minHealthyPercentage: 150 },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    // Someone else's refresh is running in the group.
    const handle = app.ctx.runtime.sandbox.running!;
    const asg = new AutoScalingClient({
      ...sandboxClientConfig(handle, { region: REGION, clock }),
      maxAttempts: 1,
    });
    await asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'web-asg' }));
    asg.destroy();
    const again = await app.call('deploy:preview', { project: 'web', group: 'web-asg' });
    expect(again).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', details: { reason: 'refresh-running' } },
    });
    expect(await app.call('deploy:get', 'dp_nope')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });
});
