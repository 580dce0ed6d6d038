import { CreateImageCommand, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, expect, test } from 'vitest';
import { resolveBaseImage } from '../../../src/main/services/aws/base-image';
import type { BakeEvent } from '../../../src/shared/bake';
import {
  TAG_APP_VERSION,
  TAG_BAKE_ID,
  TAG_BASE_AMI,
  TAG_PROJECT,
  TAG_ROLE,
  TAG_SCRIPT_SHA256,
} from '../../../src/protocol/builder-tags';
import { BakeHarness, project, REGION } from './harness';

let h: BakeHarness;
afterEach(async () => h.close());

test('a bake runs every step in order, journals resources first, records a version and leaks nothing', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(project({ tags: { team: 'web' } }));
  expect(record).toMatchObject({
    status: 'succeeded',
    version: 1,
    region: REGION,
    simulated: true,
    trigger: 'cli',
  });
  expect(record.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
    'preflight:done',
    'launch:done',
    'wait-running:done',
    'run-script:done',
    'stop:done',
    'create-image:done',
    'wait-image:done',
    'terminate:done',
    'record:done',
  ]);

  // The instance id is on disk before the launch step is reported done; the image id before wait-image starts.
  const journal: BakeEvent[] = [];
  for await (const e of h.store.bakes.readEvents(record.id)) journal.push(e);
  const at = (match: (e: BakeEvent) => boolean) => journal.findIndex(match);
  expect(at((e) => e.type === 'resource' && e.kind === 'instance')).toBeLessThan(
    at((e) => e.type === 'step' && e.step === 'launch' && e.status === 'done'),
  );
  expect(at((e) => e.type === 'resource' && e.kind === 'image')).toBeLessThan(
    at((e) => e.type === 'step' && e.step === 'wait-image'),
  );
  // Console lines go to console.log, not the journal; what is journaled keeps its order.
  expect(journal.map((e) => e.seq)).toEqual(journal.map((e) => e.seq).sort((a, b) => a - b));

  const [builder] = h.sim.instances();
  expect(h.sim.instances()).toHaveLength(1);
  expect(builder).toMatchObject({
    instanceId: record.instanceId,
    clientToken: record.id,
    shutdownBehavior: 'stop',
    httpTokens: 'required',
    instanceType: 't3.micro',
    tags: { [TAG_ROLE]: 'builder', [TAG_BAKE_ID]: record.id, [TAG_PROJECT]: 'web', team: 'web' },
  });
  const [image] = h.sim.images();
  expect(image).toMatchObject({
    imageId: record.imageId,
    name: record.imageName,
    state: 'available',
    scriptCompleteAtCapture: true,
    tags: {
      [TAG_PROJECT]: 'web',
      [TAG_BAKE_ID]: record.id,
      [TAG_BASE_AMI]: record.baseImageId,
      [TAG_SCRIPT_SHA256]: record.scriptSha256,
      [TAG_APP_VERSION]: expect.any(String),
      team: 'web',
    },
  });
  expect(record.imageName).toBe('web-20260101-120000');

  const version = await h.store.versions.get('web', 1);
  expect(version).toMatchObject({
    bakeId: record.id,
    imageId: record.imageId,
    snapshotIds: record.snapshotIds,
    baseImageId: record.baseImageId,
    env: { STAGE: 'test' },
    initScript: project().initScript,
    scriptSha256: record.scriptSha256,
  });
  expect(version!.snapshotIds).toHaveLength(1);
  expect(version!.apiCalls).toBeGreaterThan(5);
  // The script sleeps 8 s: the bake cannot have seen it end sooner after launch. (When it first looks is
  // the builder's schedule's choice, so "wait for running" and "run init script" share that time.)
  const launchToScriptEnd =
    version!.stepDurationsMs['wait-running']! + version!.stepDurationsMs['run-script']!;
  expect(launchToScriptEnd).toBeGreaterThanOrEqual(8_000);
  expect(version!.durationMs).toBeGreaterThan(launchToScriptEnd);

  const console = await h.store.bakes.readConsole(record.id);
  expect(console.some((l) => l.endsWith('installing'))).toBe(true);
  expect(console.some((l) => l.endsWith('ready'))).toBe(true);
  await h.expectNoLeaks();
});

test('a #cloud-config project bakes through the multipart wrapper', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(
    project({ initScript: '#cloud-config\nruncmd:\n  - echo "hello from cloud-init"\n', env: {} }),
  );
  expect(record.status).toBe('succeeded');
  expect((await h.store.bakes.readConsole(record.id)).join('\n')).toContain('hello from cloud-init');
  await h.expectNoLeaks();
});

test('completion "wait": a fixed time after running, then the engine stops the builder itself', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(project({ completion: { mode: 'wait', seconds: 30 } }));
  expect(record.status).toBe('succeeded');
  expect(h.sim.calls({ action: 'StopInstances' })).toHaveLength(1);
  expect(record.steps.find((s) => s.step === 'stop')?.message).toMatch(/^stopped i-/);
  await h.expectNoLeaks();
});

test('a script over 16 KB is gzipped and still bakes', async () => {
  h = await BakeHarness.create();
  const body = Array.from({ length: 900 }, (_, i) => `echo "step ${i % 50}"`).join('\n');
  const record = await h.bake(project({ initScript: `#!/bin/sh\n${body}\n` }));
  expect(record.status).toBe('succeeded');
  expect(record.steps.find((s) => s.step === 'launch')?.message).toMatch(/gzipped to \d+ bytes/);
  await h.expectNoLeaks();
});

test('preflight refuses what EC2 would refuse later, before launching anything', async () => {
  h = await BakeHarness.create();
  const cases = [
    {
      p: project({ instanceType: 't4g.micro' }),
      error: /t4g.micro runs arm64, but the base image .* is x86_64/,
    },
    { p: project({ instanceType: 'zz9.mega' }), error: /no instance type "zz9.mega"/ },
    { p: project({ imageName: '{project}:{bakeId}' }), error: /not a valid AMI name/ },
    { p: project({ rootVolume: { sizeGiB: 1, type: 'gp3' } }), error: /smaller than the base image/ },
  ];
  for (const { p, error } of cases) {
    const record = await h.bake(p);
    expect(record.status).toBe('failed');
    expect(record.error).toMatchObject({
      step: 'preflight',
      code: 'INVALID_INPUT',
      message: expect.stringMatching(error),
    });
  }
  expect(h.sim.calls({ action: 'RunInstances' })).toHaveLength(0);
  await h.expectNoLeaks();
});

test('the leak check itself fails on a builder left running and on an image no version records', async () => {
  h = await BakeHarness.create();
  const { clients } = await h.connect({ profile: 'sandbox', region: REGION });
  const imageId = (await resolveBaseImage(clients, project().baseImage)).imageId;
  const launched = await clients.ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: TAG_ROLE, Value: 'builder' }] }],
    }),
  );
  const instanceId = launched.Instances![0]!.InstanceId!;
  await expect(h.expectNoLeaks()).rejects.toThrow(instanceId);
  await clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  await h.expectNoLeaks();
  const other = await clients.ec2.send(
    new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
  );
  await h.clock.advance(h.sim.timings.pendingMs);
  const stray = await clients.ec2.send(
    new CreateImageCommand({ InstanceId: other.Instances![0]!.InstanceId!, Name: 'stray' }),
  );
  await expect(h.expectNoLeaks()).rejects.toThrow(stray.ImageId!);
});

test('an image name already taken is a CONFLICT at preflight', async () => {
  h = await BakeHarness.create();
  const first = await h.bake(project({ imageName: 'fixed-name' }));
  expect(first.status).toBe('succeeded');
  const second = await h.bake(project({ imageName: 'fixed-name', initScript: '#!/bin/sh\necho other\n' }));
  expect(second.error).toMatchObject({
    step: 'preflight',
    code: 'CONFLICT',
    message: expect.stringContaining('"fixed-name" already exists'),
  });
  await h.expectNoLeaks();
});
