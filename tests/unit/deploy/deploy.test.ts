import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment, DeployEvent } from '../../../src/shared/deploy';
import { AMI_V1, AMI_V2, DeployHarness } from './harness';

let h: DeployHarness;
beforeEach(async () => {
  h = await DeployHarness.create();
});
afterEach(() => h.close());

/** In service and healthy, as each `instances` event of the deployment saw the group. */
function observedInService(events: DeployEvent[]): number[] {
  return events.flatMap((e) =>
    e.type === 'instances'
      ? [e.instances.filter((i) => i.lifecycleState === 'InService' && i.health === 'Healthy').length]
      : [],
  );
}

/** The fewest instances in service at any moment in [from, to], from the Sandbox's own instance times. */
function minInServiceBetween(from: number, to: number): number {
  const group = h.sim.autoScalingGroups()[0]!;
  const moments = new Set<number>([from]);
  for (const i of group.instances) {
    if (i.inServiceAt !== undefined) moments.add(i.inServiceAt);
    if (i.terminatingAt !== undefined) moments.add(i.terminatingAt);
  }
  return Math.min(
    ...[...moments]
      .filter((m) => m >= from && m <= to)
      .map(
        (m) =>
          group.instances.filter(
            (i) =>
              i.inServiceAt !== undefined &&
              i.inServiceAt <= m &&
              (i.terminatingAt === undefined || i.terminatingAt > m),
          ).length,
      ),
  );
}

describe('deploying a version to an Auto Scaling group', () => {
  it('rolls 4 instances from version 1 to version 2 at 75 % min healthy, never below 3 in service', async () => {
    await h.group();
    const deploy = h.service();
    const startedAt = h.clock.now();
    const started = await deploy.start(h.request());
    expect(started).toMatchObject({
      status: 'running',
      kind: 'deploy',
      version: 2,
      imageId: AMI_V2,
      group: 'web-asg',
    });
    expect(started.launchTemplate).toMatchObject({
      groupVersion: '1',
      previousVersion: 1,
      previousImageId: AMI_V1,
    });
    const final = await deploy.waitForFinal(started.id);

    expect(final.status).toBe('succeeded');
    expect(final.refresh).toMatchObject({ status: 'Successful', percentage: 100 });
    expect(final.steps.map((s) => [s.step, s.status])).toEqual([
      ['preflight', 'done'],
      ['template', 'done'],
      ['refresh', 'done'],
      ['finalize', 'done'],
    ]);
    // Every look at the group during the deployment, and every moment between looks.
    const observed = observedInService(h.eventsOf(started.id));
    expect(observed.length).toBeGreaterThan(4);
    expect(Math.min(...observed)).toBeGreaterThanOrEqual(3);
    expect(minInServiceBetween(startedAt, h.clock.now())).toBe(3);
    // At the end: four instances on version 2's AMI, and the template's default version names it.
    const instances = await h.instances();
    expect(instances).toHaveLength(4);
    expect(instances.every((i) => i.ImageId === AMI_V2 && i.LifecycleState === 'InService')).toBe(true);
    const newVersion = final.launchTemplate!.newVersion!;
    expect(newVersion).toBe(2);
    expect(await h.defaultVersion()).toEqual({ version: newVersion, imageId: AMI_V2 });
    // The progress went through the percentages, instance by instance.
    const percentages = h
      .eventsOf(started.id)
      .flatMap((e) => (e.type === 'refresh' ? [e.refresh.percentage] : []));
    expect(new Set(percentages)).toEqual(new Set([0, 25, 50, 75, 100]));
    // The history says who deployed what where, and how it ended.
    const [recorded] = await h.store.deployments.list('web');
    expect(recorded).toMatchObject({
      id: started.id,
      status: 'succeeded',
      version: 2,
      group: 'web-asg',
      region: 'eu-west-1',
      by: { actor: 'deploy tests', arn: 'arn:aws:iam::123456789012:user/sandbox' },
    });
    expect(recorded!.endedAt).toBeGreaterThan(recorded!.createdAt);
  });

  it('ends RollbackSuccessful with all 4 back on version 1 when the new instances fail their health checks', async () => {
    await h.group();
    h.sim.setUnhealthyImages([AMI_V2]);
    const deploy = h.service();
    const startedAt = h.clock.now();
    const final = await deploy.waitForFinal((await deploy.start(h.request())).id);
    expect(final.status).toBe('rolled-back');
    expect(final.refresh?.status).toBe('RollbackSuccessful');
    expect(final.message).toMatch(/failed its EC2 health check/);
    expect(final.steps.find((s) => s.step === 'rollback')?.status).toBe('done');
    const instances = await h.instances();
    expect(instances).toHaveLength(4);
    expect(instances.every((i) => i.ImageId === AMI_V1 && i.LaunchTemplate?.Version === '1')).toBe(true);
    expect(minInServiceBetween(startedAt, h.clock.now())).toBeGreaterThanOrEqual(3);
    // The new template version exists, but the default still names version 1.
    expect(await h.defaultVersion()).toEqual({ version: 1, imageId: AMI_V1 });
  });

  it('rolls back on request during the refresh (RollbackInstanceRefresh)', async () => {
    await h.group();
    const deploy = h.service();
    const started = await deploy.start(h.request());
    await waitFor(deploy, started.id, (d) => (d.refresh?.percentage ?? 0) >= 25);
    await deploy.rollback(started.id, { trigger: 'app' });
    const final = await deploy.waitForFinal(started.id);
    expect(final).toMatchObject({ status: 'rolled-back', refresh: { status: 'RollbackSuccessful' } });
    expect(final.steps.find((s) => s.step === 'refresh')?.status).toBe('cancelled');
    expect(final.message).toBe(
      'web-asg runs what it ran before (launch template version 1). AWS says: Rollback started by user.',
    );
    expect((await h.instances()).every((i) => i.ImageId === AMI_V1)).toBe(true);
  });

  it('after a deployment ended, rolls back by returning the group to the version it ran before', async () => {
    await h.group();
    const deploy = h.service();
    const first = await deploy.waitForFinal((await deploy.start(h.request())).id);
    expect(first.status).toBe('succeeded');
    const back = await deploy.rollback(first.id, { trigger: 'app' });
    expect(back).toMatchObject({ kind: 'rollback', rollbackOf: first.id, imageId: AMI_V1, version: 1 });
    const final = await deploy.waitForFinal(back.id);
    expect(final.status).toBe('succeeded');
    expect(final.launchTemplate).toMatchObject({ newVersion: 1, created: false });
    expect((await h.instances()).every((i) => i.ImageId === AMI_V1)).toBe(true);
    expect(await h.defaultVersion()).toEqual({ version: 1, imageId: AMI_V1 });
    // The history lists both, newest first.
    expect((await deploy.list('web')).map((d) => d.kind)).toEqual(['rollback', 'deploy']);
  });

  it('cancels: CancelInstanceRefresh, and the deployment ends cancelled', async () => {
    await h.group();
    const deploy = h.service();
    const started = await deploy.start(h.request());
    await waitFor(deploy, started.id, (d) => d.refresh?.status === 'InProgress');
    await deploy.cancel(started.id);
    const final = await deploy.waitForFinal(started.id);
    expect(final.status).toBe('cancelled');
    expect(h.sim.calls({ action: 'CancelInstanceRefresh' })).toHaveLength(1);
  });

  it('puts a $Default group back itself, since AWS cannot, and restores the group to $Default on success', async () => {
    await h.group({ version: '$Default' });
    const deploy = h.service();
    const preview = await deploy.preview(h.request());
    expect(preview).toMatchObject({
      rollbackMode: 'quadraxis',
      desiredCapacity: 4,
      currentImageId: AMI_V1,
      newImageId: AMI_V2,
    });
    expect(preview.warnings.join(' ')).toContain('$Default');

    h.sim.setUnhealthyImages([AMI_V2]);
    const failed = await deploy.waitForFinal((await deploy.start(h.request())).id);
    expect(failed.status).toBe('rolled-back');
    expect(failed.rollbackRefreshId).toBeDefined();
    expect((await h.instances()).every((i) => i.ImageId === AMI_V1)).toBe(true);

    h.sim.setUnhealthyImages([]);
    const ok = await deploy.waitForFinal((await deploy.start(h.request())).id);
    expect(ok.status).toBe('succeeded');
    expect((await h.defaultVersion()).imageId).toBe(AMI_V2);
    expect(h.sim.autoScalingGroups()[0]!.launchesFrom).toBe(`${h.templateId}:$Default`);
  });
});

/** Resolves once the deployment's record (as events update it) satisfies `test`. */
async function waitFor(
  deploy: { get(id: string): Promise<Deployment | undefined> },
  id: string,
  test: (d: Deployment) => boolean,
) {
  for (;;) {
    const record = await deploy.get(id);
    if (record && test(record)) return record;
    await new Promise<void>((resolve) => {
      const off = h.services[0]!.subscribe((e) => {
        if (e.deployId !== id) return;
        off();
        resolve();
      });
    });
  }
}

describe('watching deployments', () => {
  it('looks at every deploying group of a region in one DescribeAutoScalingGroups per tick', async () => {
    await h.group();
    await h.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'api-asg',
        LaunchTemplate: { LaunchTemplateId: h.templateId, Version: '1' },
        MinSize: 2,
        MaxSize: 4,
        AvailabilityZones: ['eu-west-1a'],
      }),
    );
    await h.clock.sleep(30_000);
    const deploy = h.service();
    const both = await Promise.all([
      deploy.start(h.request()),
      deploy.start(h.request({ group: 'api-asg' })),
    ]);
    const finals = await Promise.all(both.map((d) => deploy.waitForFinal(d.id)));
    expect(finals.map((f) => f.status)).toEqual(['succeeded', 'succeeded']);
    const looks = h.sim
      .calls({ action: 'DescribeAutoScalingGroups' })
      .filter((c) => c.params['AutoScalingGroupNames.member.2'] !== undefined);
    expect(looks.length).toBeGreaterThan(3);
    expect(
      new Set(
        looks.flatMap((c) => [
          c.params['AutoScalingGroupNames.member.1'],
          c.params['AutoScalingGroupNames.member.2'],
        ]),
      ),
    ).toEqual(new Set(['web-asg', 'api-asg']));
    // The two deployments' refreshes were looked at in the same ticks: never two group looks at one moment.
    const times = h.sim.calls({ action: 'DescribeAutoScalingGroups' }).map((c) => c.time);
    const pollerTimes = looks.map((c) => c.time);
    expect(new Set(pollerTimes).size).toBe(pollerTimes.length);
    expect(times.length).toBeLessThan(pollerTimes.length * 3);
  });
});
