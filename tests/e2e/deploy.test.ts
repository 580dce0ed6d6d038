import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { sandboxClientConfig } from '../../src/sandbox';
import { stableId } from '../../src/sandbox/ids';
import { E2E_SANDBOX_TIMINGS } from '../bridge/server';
import { versionInput } from '../helpers/version-input';
import { poll, screenshotBothThemes, useApp } from './harness';

/**
 * Deploying from the Versions tab against the Sandbox: the confirmation names the group, its region, its
 * current and new AMI and its desired capacity; the deployment page follows the refresh instance by
 * instance; roll back puts every instance back on the old image; the history shows how it ended.
 */
const REGION = 'us-east-1';
const AMI_V1 = stableId('ami', REGION, 'al2023-ami-2023.5.20240916.0-kernel-6.1-x86_64');
const AMI_V2 = stableId('ami', REGION, 'al2023-ami-2023.6.20241031.0-kernel-6.1-x86_64');

const app = useApp({
  colorScheme: 'light',
  runtime: {
    sandbox: { timings: { ...E2E_SANDBOX_TIMINGS, healthCheckMs: 400, instanceRefreshStartMs: 300 } },
    pollIntervalMs: 250,
  },
});

async function groupImages(): Promise<string[]> {
  const handle = app.bridge.ctx.runtime.sandbox.running!;
  const asg = new AutoScalingClient(sandboxClientConfig(handle, { region: REGION }));
  const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['shop-asg'] }));
  asg.destroy();
  return (out.AutoScalingGroups?.[0]?.Instances ?? [])
    .filter((i) => i.LifecycleState === 'InService')
    .map((i) => i.ImageId!)
    .sort();
}

describe('deploy screens', () => {
  it('deploys version 2 from the Versions tab, follows it, and rolls it back', async () => {
    const { page, bridge } = app;
    const { store } = bridge.ctx.runtime;
    bridge.ctx.settings.update({ profile: 'sandbox' });
    await store.projects.create({
      name: 'shop',
      region: REGION,
      baseImage: { kind: 'id', imageId: AMI_V1 },
      initScript: '#!/bin/sh\necho shop\n',
      deploy: { targets: [{ group: 'shop-asg' }], preferences: { instanceWarmupSeconds: 3 } },
    });
    await store.versions.record(
      versionInput('shop', { region: REGION, imageId: AMI_V1, bakeId: 'bk_0000000001aaaaaaaaaa' }),
    );
    await store.versions.record(
      versionInput('shop', { region: REGION, imageId: AMI_V2, bakeId: 'bk_0000000002aaaaaaaaaa' }),
    );
    const handle = await bridge.ctx.runtime.sandbox.ensure();
    const config = sandboxClientConfig(handle, { region: REGION });
    const ec2 = new EC2Client(config);
    const asg = new AutoScalingClient(config);
    const template = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'shop',
        LaunchTemplateData: { ImageId: AMI_V1, InstanceType: 't3.micro' },
      }),
    );
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'shop-asg',
        LaunchTemplate: { LaunchTemplateId: template.LaunchTemplate!.LaunchTemplateId!, Version: '1' },
        MinSize: 4,
        MaxSize: 8,
        AvailabilityZones: [`${REGION}a`, `${REGION}b`],
      }),
    );
    ec2.destroy();
    asg.destroy();
    await poll(groupImages).toEqual([AMI_V1, AMI_V1, AMI_V1, AMI_V1]);

    // Projects → shop → Versions → Deploy version 2.
    await page.keyboard.press('Control+2');
    await page.keyboard.press('Control+1');
    await page.getByRole('button', { name: 'shop', exact: true }).click();
    await page.getByRole('tab', { name: 'Versions' }).click();
    await page.getByRole('table', { name: 'Versions' }).getByText('v2').waitFor();
    await page.getByRole('button', { name: 'Deploy version 2' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deploy shop' });
    await dialog.getByLabel('Min healthy %').fill('75');
    const summary = dialog.getByRole('region', { name: 'Confirm the deploy' });
    await summary.waitFor({ timeout: 30_000 });
    await poll(() => summary.getByLabel('Current AMI').textContent()).toBe(AMI_V1);
    expect(await summary.getByLabel('New AMI').textContent()).toBe(AMI_V2);
    await summary.getByText('shop-asg', { exact: true }).waitFor();
    await summary.getByText(/^us-east-1 \(profile sandbox, sandbox\)$/).waitFor();
    await summary.getByText('4 (4 running now)').waitFor();
    await summary.getByText(/min healthy 75 % · warmup 3 s/).waitFor();
    await screenshotBothThemes(app, 'deploy-confirm');
    await dialog.getByRole('button', { name: 'Deploy to shop-asg' }).click();

    // The deployment page: a step timeline, the refresh's progress and each instance.
    const root = page.locator('[data-deployment-id]');
    await root.waitFor();
    const id = (await root.getAttribute('data-deployment-id'))!;
    await page
      .getByRole('listitem', { name: 'New launch template version: done' })
      .waitFor({ timeout: 30_000 });
    await poll(async () =>
      Number(await page.getByRole('progressbar', { name: 'Refresh progress' }).getAttribute('aria-valuenow')),
    ).toBeGreaterThanOrEqual(25);
    const table = page.getByRole('table', { name: 'Group instances' });
    await table.locator('tr', { hasText: AMI_V2 }).getByText('(new) · v2').first().waitFor();
    await screenshotBothThemes(app, 'deploy-progress');

    // Roll back mid-way: every instance back on version 1.
    await page.getByRole('button', { name: 'Roll back' }).click();
    const question = page.getByRole('dialog', { name: 'Roll back?' });
    await question.getByRole('button', { name: 'Roll back' }).click();
    await question.waitFor({ state: 'detached' });
    await page.locator('[data-deployment-status="rolled-back"]').waitFor({ timeout: 90_000 });
    await page
      .getByRole('alert', { name: 'Rolled back' })
      .getByText(/^shop-asg runs what it ran before \(launch template version 1\)\. AWS says: /)
      .waitFor();
    expect(await groupImages()).toEqual([AMI_V1, AMI_V1, AMI_V1, AMI_V1]);
    const record = (await bridge.ctx.runtime.deploy.get(id))!;
    expect(record).toMatchObject({
      status: 'rolled-back',
      trigger: 'app',
      refresh: { status: 'RollbackSuccessful' },
    });
    await screenshotBothThemes(app, 'deploy-rolled-back');

    // The history on the Versions tab says how it ended.
    await page.getByRole('button', { name: 'shop', exact: true }).first().click();
    await page.getByRole('tab', { name: 'Versions' }).click();
    const history = page.getByRole('table', { name: 'Deployments' });
    await history.locator(`[data-deployment="${id}"] [data-status="rolled-back"]`).waitFor();
    await screenshotBothThemes(app, 'deploy-history');
    expect(app.errors).toEqual([]);
  });
});
