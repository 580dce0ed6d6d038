import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { E2E_SANDBOX_TIMINGS } from '../bridge/server';
import { startBakeFromBakesPage, waitForStatus } from './bake-helpers';
import { screenshotBothThemes, useApp } from './harness';

/**
 * Issue 16 in the app, against the Sandbox: a distributing project's bake shows each copy live, the Delivery
 * tab shows its settings, and the Versions tab plans a prune, asks, and retires only what it showed.
 */
const app = useApp({
  colorScheme: 'light',
  runtime: {
    sandbox: { timings: { ...E2E_SANDBOX_TIMINGS, copyImageMs: 3_000, ssmImageValidationMs: 300 } },
    pollIntervalMs: 250,
  },
});

const COPIES = ['us-west-2', 'eu-central-1'];

async function openProject(page: Page, name: string) {
  await page.keyboard.press('Control+2');
  await page.keyboard.press('Control+1');
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 2 }).waitFor();
}

describe('delivery and retention', () => {
  it('shows each copy of a distributing bake live, then every region’s image in its version', async () => {
    const { page, bridge } = app;
    bridge.ctx.settings.update({ profile: 'sandbox', region: 'us-east-1' });
    await bridge.ctx.runtime.store.projects.create({
      name: 'golden',
      description: 'e2e: distribution and retention',
      baseImage: {
        kind: 'ssm',
        parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      },
      initScript: '#!/bin/bash\necho "hardening"\n',
      distribution: {
        regions: COPIES,
        shareWith: { accounts: ['111122223333'] },
        encryption: { kmsKeyId: 'alias/quadraxis-images' },
        ssmParameter: '/images/{project}/{environment}/latest',
      },
      retention: { keep: 1 },
      // Both bakes are for prod: the plan ranks prod's images on their own and shows the environment.
      environments: { prod: { env: { STAGE: 'prod' } } },
    });
    const id = await startBakeFromBakesPage(page, 'golden', 'prod');
    const copies = page.getByRole('list', { name: 'Copies' });
    await copies.getByRole('listitem', { name: 'us-west-2: copying' }).waitFor({ timeout: 30_000 });
    await screenshotBothThemes(app, 'bake-copying');
    await waitForStatus(page, 'succeeded');
    for (const region of COPIES)
      await copies.getByRole('listitem', { name: `${region}: available` }).waitFor();
    await page.getByRole('listitem', { name: /^Publish parameter: done/ }).waitFor();
    const record = (await bridge.ctx.runtime.engine.get(id))!;
    expect(record.steps.map((s) => s.step)).toEqual([
      'preflight',
      'launch',
      'wait-running',
      'run-script',
      'stop',
      'create-image',
      'wait-image',
      'terminate',
      'copy',
      'share',
      'publish',
      'record',
    ]);
    await screenshotBothThemes(app, 'bake-distributed');
    expect(app.errors).toEqual([]);
  });

  it('shows the Delivery tab, and plans a prune on the Versions tab that asks before retiring', async () => {
    const { page, bridge } = app;
    const { engine } = bridge.ctx.runtime;
    const project = (await bridge.ctx.runtime.store.projects.get('golden'))!.project;
    const second = await engine.start({
      project,
      profile: 'sandbox',
      region: 'us-east-1',
      trigger: 'app',
      force: true,
      environment: 'prod',
    });
    expect((await engine.waitForFinal(second.id)).status).toBe('succeeded');

    await openProject(page, 'golden');
    await page.getByRole('tab', { name: 'Delivery' }).click();
    await expect
      .poll(() => page.getByLabel('KMS key', { exact: true }).inputValue())
      .toBe('alias/quadraxis-images');
    await expect
      .poll(() => page.getByLabel('Publish to SSM parameter').inputValue())
      .toBe('/images/{project}/{environment}/latest');
    await screenshotBothThemes(app, 'project-delivery');

    await page.getByRole('tab', { name: 'Versions' }).click();
    const versions = page.getByRole('table', { name: 'Versions' });
    await versions.getByText('v2').waitFor();
    await versions.getByText('eu-central-1').first().waitFor();
    await page.getByRole('button', { name: 'Prune old images…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Prune golden' });
    const plan = dialog.getByRole('table', { name: 'Prune plan' });
    await plan.waitFor({ timeout: 30_000 });
    // Version 1 goes in all three regions; version 2 stays, with its reasons.
    await expect.poll(() => plan.getByRole('checkbox').count()).toBe(3);
    await plan.getByText('one of the newest 1 of environment prod in us-east-1 (#1)').waitFor();
    await expect.poll(() => plan.getByLabel('Environment prod').count()).toBe(6);
    await dialog.getByText(/Keeps the newest 1 of each environment in each region/).waitFor();
    await plan.getByText('in use: parameter /images/golden/prod/latest (version 2)').first().waitFor();
    await screenshotBothThemes(app, 'prune-plan');

    // The person keeps one back: only the other two go.
    const [firstImage] = bridge.ctx.runtime.sandbox
      .running!.sim.images({ region: 'us-west-2' })
      .filter((i) => i.tags['quadraxis:bake-id'] !== second.id)
      .map((i) => i.imageId);
    await plan.getByRole('checkbox', { name: `Retire ${firstImage!} in us-west-2` }).uncheck();
    await dialog.getByRole('button', { name: 'Retire 2 images' }).click();
    await dialog.getByText('Pruned golden').waitFor({ timeout: 30_000 });
    await screenshotBothThemes(app, 'prune-done');
    const sim = bridge.ctx.runtime.sandbox.running!.sim;
    expect(sim.images({ region: 'us-west-2' }).map((i) => i.imageId)).toContain(firstImage);
    for (const region of ['us-east-1', 'eu-central-1'])
      expect(sim.images({ region }).map((i) => i.tags['quadraxis:bake-id'])).toEqual([second.id]);
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await dialog.waitFor({ state: 'detached' });
    await screenshotBothThemes(app, 'versions-regions');
    expect(app.errors).toEqual([]);
  });
});
