import { describe, expect, it } from 'vitest';
import {
  createProject,
  recordSteps,
  shownSteps,
  startBakeFromBakesPage,
  waitForStatus,
} from './bake-helpers';
import { screenshotBothThemes, useApp } from './harness';

/**
 * The bake screens against the Sandbox profile, in order on one app: the first bake on an empty data
 * directory also saves the profile choice the later flows rely on.
 */
const app = useApp({ colorScheme: 'light' });

describe('bake screens', () => {
  it('bakes a project on first start: every step done, the AMI id and the version shown', async () => {
    const { page, bridge } = app;
    await createProject(app, 'hello-web', '#!/bin/bash\necho "installing nginx"\necho "done"\n');
    await page.keyboard.press('Control+2');
    await page.getByText('No bakes yet').waitFor();

    await page.getByRole('button', { name: 'New bake' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bake an AMI' });
    await expect
      .poll(() => dialog.getByLabel('AWS profile', { exact: true }).inputValue())
      .toBe('Sandbox (simulated, offline)');
    await expect.poll(() => dialog.getByLabel('Region', { exact: true }).inputValue()).toBe('us-east-1');
    await screenshotBothThemes(app, 'bake-start-dialog');
    await dialog.getByLabel('Project', { exact: true }).click();
    await page.getByRole('option', { name: 'hello-web', exact: true }).click();
    await dialog.getByRole('button', { name: 'Start bake' }).click();
    const root = page.locator('[data-bake-id]');
    await root.waitFor();
    const id = (await root.getAttribute('data-bake-id'))!;

    await waitForStatus(page, 'succeeded');
    const record = (await bridge.ctx.runtime.engine.get(id))!;
    expect(record.status).toBe('succeeded');
    const steps = await shownSteps(page);
    expect(Object.keys(steps)).toEqual([
      'preflight',
      'launch',
      'wait-running',
      'run-script',
      'stop',
      'create-image',
      'wait-image',
      'terminate',
      'record',
    ]);
    expect(Object.values(steps).every((s) => s === 'done')).toBe(true);
    await expect.poll(() => page.getByLabel('AMI id', { exact: true }).textContent()).toBe(record.imageId);
    await page.getByText('Recorded as version 1 of hello-web').waitFor();
    const versions = await bridge.ctx.runtime.store.versions.list('hello-web');
    expect(versions.map((v) => [v.version, v.imageId])).toEqual([[1, record.imageId]]);
    // Simulated: said so, and no console link that would lead nowhere.
    await page.getByText('This image is simulated').waitFor();
    expect(await page.getByRole('button', { name: 'Open in AWS console' }).count()).toBe(0);
    await page.getByRole('table', { name: 'Tags' }).getByRole('row', { name: 'team platform' }).waitFor();
    await page.getByRole('figure', { name: 'Timeline' }).waitFor();
    await page.getByRole('log', { name: 'Console output' }).getByText('installing nginx').waitFor();
    // The choice was remembered for the next bakes.
    expect(bridge.ctx.settings.get().profile).toBe('sandbox');
    await screenshotBothThemes(app, 'bake-succeeded');

    // Nothing changed: baking again asks first.
    await page.getByRole('button', { name: 'Bake again: hello-web' }).click();
    const question = page.getByRole('dialog', { name: 'Bake again?' });
    await question
      .getByText(`An identical bake already produced ${record.imageId} (version 1). Bake again?`)
      .waitFor();
    await screenshotBothThemes(app, 'bake-conflict-question');
    await question.getByRole('button', { name: 'Keep the existing image' }).click();
    await question.waitFor({ state: 'detached' });
    expect(app.errors).toEqual([]);
  });

  it('cancels mid-bake: cleanup shows, and no builder is left running', async () => {
    const { page, bridge } = app;
    await createProject(
      app,
      'slow-cancel',
      '#!/bin/bash\necho "warming up"\nsleep 120\necho "never printed"\n',
    );
    const id = await startBakeFromBakesPage(page, 'slow-cancel');
    await page.getByRole('listitem', { name: /^Run init script: running/ }).waitFor({ timeout: 30_000 });
    await screenshotBothThemes(app, 'bake-running');
    await page.getByRole('button', { name: 'Cancel bake' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this bake?' });
    await screenshotBothThemes(app, 'bake-cancel-question');
    await dialog.getByRole('button', { name: 'Cancel bake' }).click();
    await waitForStatus(page, 'cancelled');

    await page.getByRole('listitem', { name: /^Clean up: done/ }).waitFor();
    const record = (await bridge.ctx.runtime.engine.get(id))!;
    expect(record.status).toBe('cancelled');
    expect(record.cleanedUp).toContain(`terminated ${record.instanceId!}`);
    const alert = page.getByRole('alert', { name: 'Cancelled during “Run init script”' });
    await alert.getByText(`Cleaned up afterwards: terminated ${record.instanceId!}.`).waitFor();
    const instances = bridge.ctx.runtime.sandbox.running!.sim.instances();
    expect(instances.length).toBeGreaterThan(0);
    expect(instances.filter((i) => i.state !== 'terminated' && i.state !== 'shutting-down')).toEqual([]);
    await screenshotBothThemes(app, 'bake-cancelled');
    expect(app.errors).toEqual([]);
  });

  it('shows a failing script: the step, its exit code and the console tail', async () => {
    const { page, bridge } = app;
    await createProject(
      app,
      'fails',
      '#!/bin/bash\necho "installing packages"\necho "E: no space left"\nexit 3\n',
    );
    const id = await startBakeFromBakesPage(page, 'fails');
    await waitForStatus(page, 'failed');

    const record = (await bridge.ctx.runtime.engine.get(id))!;
    expect(record.error).toMatchObject({ step: 'run-script', exitCode: 3 });
    await page.getByRole('listitem', { name: /^Run init script: failed/ }).waitFor();
    const alert = page.getByRole('alert', { name: 'Failed at “Run init script”' });
    await alert.getByText('The init script failed with exit code 3.').waitFor();
    await expect.poll(() => alert.getByLabel('Console tail').textContent()).toContain('E: no space left');
    await alert.getByText(`Cleaned up afterwards: terminated ${record.instanceId!}.`).waitFor();
    await screenshotBothThemes(app, 'bake-failed');
    expect(app.errors).toEqual([]);
  });

  it('shows cloud-init’s warnings: failed by default, “succeeded with warnings” when the project accepts them', async () => {
    const { page, bridge } = app;
    const config = '#cloud-config\npakages: [nginx]\nruncmd:\n  - echo configured\n';
    const ubuntu = {
      kind: 'ssm',
      parameter: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
    } as const;
    await bridge.ctx.runtime.store.projects.create({ name: 'typo', baseImage: ubuntu, initScript: config });
    await startBakeFromBakesPage(page, 'typo');
    await waitForStatus(page, 'failed');
    const failed = page.getByRole('region', { name: 'cloud-init reported 2 warnings' });
    await failed.getByText(/so nothing was imaged/).waitFor();
    await failed.getByText(/pakages: Additional properties are not allowed/).waitFor();

    await bridge.ctx.runtime.store.projects.create({
      name: 'typo-accepted',
      baseImage: ubuntu,
      initScript: config,
      completion: { mode: 'wrapper', cloudConfigWarnings: 'accept' },
    });
    await startBakeFromBakesPage(page, 'typo-accepted');
    await waitForStatus(page, 'succeeded');
    await page
      .locator('[data-status="succeeded"][data-warnings="2"]')
      .getByText('Succeeded with warnings')
      .first()
      .waitFor();
    await page.getByRole('heading', { name: 'Image ready, with cloud-init warnings' }).waitFor();
    const accepted = page.getByRole('region', { name: 'cloud-init reported 2 warnings' });
    await accepted.getByText(/The project accepts cloud-config warnings/).waitFor();
    await screenshotBothThemes(app, 'bake-succeeded-with-warnings');
    expect(app.errors).toEqual([]);
  });

  it('picks up where it was after a reload, and ends as main recorded it', async () => {
    const { page, bridge } = app;
    await createProject(app, 'reload', '#!/bin/bash\necho "step one"\nsleep 3\necho "step two"\n');
    const id = await startBakeFromBakesPage(page, 'reload');
    await page.getByRole('listitem', { name: /^Run init script: running/ }).waitFor({ timeout: 30_000 });

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    await page.keyboard.press('Control+2');
    await page.getByRole('button', { name: `reload, bake ${id}` }).click();
    await page.locator(`[data-bake-id="${id}"]`).waitFor();
    // Where it was: the steps before the script are done, not started over.
    await page.getByRole('listitem', { name: /^Launch builder: done/ }).waitFor();
    await waitForStatus(page, 'succeeded');

    const record = (await bridge.ctx.runtime.engine.get(id))!;
    expect(await shownSteps(page)).toEqual(recordSteps(record));
    await expect.poll(() => page.getByLabel('AMI id', { exact: true }).textContent()).toBe(record.imageId);
    // Every console line once: what the page holds is exactly the saved log.
    const saved = await bridge.ctx.runtime.store.bakes.readConsole(id);
    await expect
      .poll(() => page.getByLabel('Console line count').textContent())
      .toBe(`${saved.length} lines`);
    const log = page.getByRole('log', { name: 'Console output' });
    await log.getByText('step one').waitFor();
    await log.getByText('step two').waitFor();
    expect(app.errors).toEqual([]);
  });

  it('runs two bakes at once and lists both on the Bakes page', async () => {
    const { page, bridge } = app;
    await createProject(app, 'alpha', '#!/bin/bash\necho alpha\nsleep 10\n');
    await createProject(app, 'beta', '#!/bin/bash\necho beta\nsleep 10\n');
    const alpha = await startBakeFromBakesPage(page, 'alpha');
    const beta = await startBakeFromBakesPage(page, 'beta');

    await page.keyboard.press('Control+2');
    const table = page.getByRole('table', { name: 'Bakes' });
    const row = (id: string) => table.locator(`tr[data-bake-id="${id}"]`);
    await expect.poll(() => row(alpha).getAttribute('data-status')).toBe('running');
    await expect.poll(() => row(beta).getAttribute('data-status')).toBe('running');
    await screenshotBothThemes(app, 'bakes-page-two-running');

    await expect.poll(() => row(alpha).getAttribute('data-status'), { timeout: 60_000 }).toBe('succeeded');
    await expect.poll(() => row(beta).getAttribute('data-status'), { timeout: 60_000 }).toBe('succeeded');
    // Both scripts ran at the same time, each on its own builder.
    const [a, b] = await Promise.all([alpha, beta].map((id) => bridge.ctx.runtime.engine.get(id)));
    const script = (r: typeof a) => r!.steps.find((s) => s.step === 'run-script')!;
    expect(Math.max(script(a).startedAt!, script(b).startedAt!)).toBeLessThan(
      Math.min(script(a).endedAt!, script(b).endedAt!),
    );
    expect(a!.instanceId).not.toBe(b!.instanceId);

    await page.getByRole('combobox', { name: 'Filter by status' }).click();
    await page.getByRole('option', { name: 'Failed' }).click();
    await table.getByRole('button', { name: /^fails, bake/ }).waitFor();
    await expect.poll(() => table.locator('tbody tr:not([data-status="failed"])').count()).toBe(0);
    await page.getByRole('combobox', { name: 'Filter by status' }).click();
    await page.getByRole('option', { name: 'Any status' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThanOrEqual(6);
    await screenshotBothThemes(app, 'bakes-page-history');
    expect(app.errors).toEqual([]);
  });

  it('names the environment a bake is for: the bake page while it runs and when done, and its row on the Bakes page', async () => {
    const { page, bridge } = app;
    await bridge.ctx.runtime.store.projects.create({
      name: 'staged',
      baseImage: {
        kind: 'ssm',
        parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      },
      initScript: '#!/bin/bash\necho "mode=$APP_MODE"\nsleep 4\n',
      env: { APP_MODE: 'dev' },
      environments: { prod: { env: { APP_MODE: 'prod' }, instanceType: 't3.small' } },
    });
    const id = await startBakeFromBakesPage(page, 'staged', 'prod');
    // While it runs: beside the project's name, and among where and when it runs.
    const header = page.getByRole('heading', { name: 'staged', level: 2 }).locator('..');
    await header.getByLabel('Environment prod', { exact: true }).waitFor();
    await page.getByRole('listitem', { name: /^Run init script: running/ }).waitFor({ timeout: 30_000 });
    const facts = page.locator('.mantine-Paper-root', { has: page.getByLabel('Bake progress') });
    await facts.getByText('Environment', { exact: true }).waitFor();
    await facts.getByText('prod', { exact: true }).waitFor();
    await screenshotBothThemes(app, 'bake-environment-running');

    await waitForStatus(page, 'succeeded');
    const record = (await bridge.ctx.runtime.engine.get(id))!;
    expect(record.environment).toBe('prod');
    await page.getByRole('log', { name: 'Console output' }).getByText('mode=prod').waitFor();
    const result = page.getByRole('region', { name: 'Image ready' });
    await result.getByText('Environment', { exact: true }).waitFor();
    await result.getByRole('definition').getByText('prod', { exact: true }).waitFor();
    // …and the image carries it as a tag, so the AWS console can tell which AMI is prod.
    const tags = result.getByRole('table', { name: 'Tags' });
    await tags.getByRole('row').filter({ hasText: 'quadraxis:environment' }).getByText('prod').waitFor();
    await screenshotBothThemes(app, 'bake-environment-succeeded');
    // Baking it again offers the environment it was for (and still asks).
    await page.getByRole('button', { name: 'Bake again: staged' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bake staged' });
    await expect.poll(() => dialog.getByLabel('Environment', { exact: true }).inputValue()).toBe('prod');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Once the project no longer defines prod, baking it again says so and asks; it never starts a bake of
    // the project's own values in its place.
    const saved = (await bridge.ctx.runtime.store.projects.get('staged'))!;
    const { environments: _dropped, ...withoutEnvironments } = saved.project;
    await bridge.ctx.runtime.store.projects.save(withoutEnvironments, { revision: saved.revision });
    const bakesBefore = (await bridge.ctx.runtime.engine.list()).length;
    await page.getByRole('button', { name: 'Bake again: staged' }).click();
    await dialog
      .getByText('That bake was of environment prod, which staged no longer defines. Choose what to bake.')
      .waitFor();
    expect((await bridge.ctx.runtime.engine.list()).length).toBe(bakesBefore);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // The Bakes page: a badge on its row, none on the rows of bakes of a project's own values.
    await page.keyboard.press('Control+2');
    const table = page.getByRole('table', { name: 'Bakes' });
    const row = table.locator(`tr[data-bake-id="${id}"]`);
    await row.getByLabel('Environment prod', { exact: true }).waitFor();
    await row.getByRole('button', { name: `staged (environment prod), bake ${id}` }).waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThanOrEqual(7);
    expect(await table.locator('[data-environment]').count()).toBe(1);
    await screenshotBothThemes(app, 'bakes-page-environment');
    expect(app.errors).toEqual([]);
  });
});
