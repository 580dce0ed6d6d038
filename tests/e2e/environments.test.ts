import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openApp, poll, screenshotBothThemes, useBrowser } from './harness';

const browser = useBrowser();

/** Opens a project from the list, the way a person does, and waits for its editor. */
async function openProject(page: Page, name: string) {
  // Projects written straight to the store raise no event: visiting the list again reads it afresh.
  await page.keyboard.press('Control+2');
  await page.keyboard.press('Control+1');
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 2 }).waitFor();
  await page.getByRole('textbox', { name: 'Init script' }).waitFor({ state: 'attached' });
}

const STAGING = {
  env: { APP_MODE: 'staging', DB_PASSWORD: { ssm: '/app/staging/db-password' } },
  instanceType: 't3.small',
};

describe('named environments in the project editor', () => {
  it('adds staging with an override and a reference, maps release to it, saves, and the start dialog offers it', async () => {
    const app = await openApp(browser());
    const { page, bridge } = app;
    await bridge.ctx.runtime.store.projects.create({
      name: 'multi',
      baseImage: {
        kind: 'ssm',
        parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      },
      initScript: '#!/bin/bash\necho "mode $APP_MODE"\n',
      iamInstanceProfile: 'builder-role',
      env: { APP_MODE: 'dev', DB_PASSWORD: { ssm: '/app/dev/db-password' } },
      triggers: { branches: ['main', 'release'] },
    });
    await openProject(page, 'multi');
    await page.getByRole('tab', { name: 'Environments' }).click();
    await page.getByText('None: every bake uses the project’s own values.').waitFor();

    // The name follows the shared rule and must be new.
    await page.getByRole('button', { name: 'Add environment' }).click();
    const add = page.getByRole('dialog', { name: 'Add an environment' });
    await add.getByLabel('Environment name').fill('stag ing');
    await add.getByText('An environment name is 1–32 letters, digits, - or _ (like prod).').waitFor();
    expect(await add.getByRole('button', { name: 'Add' }).isDisabled()).toBe(true);
    await add.getByLabel('Environment name').fill('staging');
    await add.getByRole('button', { name: 'Add' }).click();
    await add.waitFor({ state: 'detached' });
    const staging = page.getByRole('region', { name: 'Environment staging' });
    await page.getByText('Unsaved changes').waitFor();

    // An override of a project variable, and a reference where the project has another.
    await staging.getByRole('button', { name: 'Add override' }).click();
    await staging.getByLabel('staging variable 1 name').fill('APP_MODE');
    await staging.getByLabel('staging variable 1 value').fill('staging');
    await staging
      .getByRole('group', { name: 'staging variable 1 override' })
      .getByText('The project’s: "dev"')
      .waitFor();
    await staging.getByRole('button', { name: 'Add override' }).click();
    await staging.getByLabel('staging variable 2 name').fill('DB_PASSWORD');
    await staging.getByLabel('staging variable 2 source').selectOption('ssm');
    // The shared schema's message lands on the input it is about.
    await staging.getByLabel('staging variable 2 parameter name').fill('/aws/staging');
    await staging.getByText('Parameter names may not begin with aws or ssm.').waitFor();
    await staging.getByLabel('staging variable 2 parameter name').fill('/app/staging/db-password');
    await staging.getByText('Parameter names may not begin with aws or ssm.').waitFor({ state: 'detached' });

    // A secret typed as a plain value gets the same warning as in the project's own variables.
    await staging.getByRole('button', { name: 'Add override' }).click();
    await staging.getByLabel('staging variable 3 name').fill('AWS_ACCESS_KEY_ID');
    await staging.getByLabel('staging variable 3 value').fill('AKIAIOSFODNN7EXAMPLE');
    await staging
      .getByRole('alert', { name: 'staging variable 3 looks like a secret' })
      .getByText(/travel in the user data/)
      .waitFor();
    await staging.getByRole('group', { name: 'staging variable 3 override' }).getByText('adds').waitFor();
    await staging.getByRole('button', { name: 'Remove staging variable 3' }).click();
    await staging.getByLabel('staging variable 3 name').waitFor({ state: 'detached' });

    await staging.getByLabel('staging instance type').fill('t3.small');
    const effective = staging.getByRole('table', { name: 'staging effective variables' });
    await effective
      .getByRole('row', { name: /DB_PASSWORD ssm:\/app\/staging\/db-password overrides/ })
      .waitFor();
    await effective.getByRole('row', { name: /APP_MODE "staging" overrides/ }).waitFor();
    await screenshotBothThemes(app, 'environments-editor');

    // release bakes staging; main keeps the project's own values.
    await page.getByRole('tab', { name: 'Triggers' }).click();
    const branches = page.getByRole('group', { name: 'Branches that bake' });
    expect(await branches.getByLabel('Branch 2', { exact: true }).inputValue()).toBe('release');
    await branches.getByLabel('Branch 2 environment').selectOption('staging');
    await page.getByRole('region', { name: 'Branches' }).scrollIntoViewIfNeeded();
    await screenshotBothThemes(app, 'environments-branch-mapping');

    // Deleting an environment a branch bakes is refused, naming the branch.
    await page.getByRole('tab', { name: 'Environments' }).click();
    await staging.getByRole('button', { name: 'Delete staging' }).click();
    const refuse = page.getByRole('dialog', { name: 'Delete staging?' });
    await refuse.getByText('release', { exact: true }).waitFor();
    expect(await refuse.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await refuse.getByRole('button', { name: 'Cancel' }).click();
    await refuse.waitFor({ state: 'detached' });

    await page.keyboard.press('Control+s');
    await page.getByText('Unsaved changes').waitFor({ state: 'detached' });
    const saved = (await bridge.ctx.runtime.store.projects.get('multi'))!.project;
    expect(saved.environments).toEqual({ staging: STAGING });
    expect(saved.triggers).toEqual({ branches: ['main', 'release'], environments: { release: 'staging' } });
    expect(saved.env).toEqual({ APP_MODE: 'dev', DB_PASSWORD: { ssm: '/app/dev/db-password' } });
    const file = parse(readFileSync(join(bridge.dataDir, 'projects', 'multi.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(file.environments).toEqual({ staging: STAGING });
    expect(file.triggers).toEqual({ branches: ['main', 'release'], environments: { release: 'staging' } });

    // After a reload the editor shows what was saved.
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    await page.getByRole('heading', { name: 'multi', level: 2 }).waitFor();
    await page.getByRole('tab', { name: 'Environments' }).click();
    expect(await staging.getByLabel('staging variable 1 value').inputValue()).toBe('staging');
    expect(await staging.getByLabel('staging variable 2 parameter name').inputValue()).toBe(
      '/app/staging/db-password',
    );
    expect(await staging.getByLabel('staging instance type').inputValue()).toBe('t3.small');
    await staging.getByText('A push to release bakes it').waitFor();
    await page.getByRole('tab', { name: 'Triggers' }).click();
    await poll(() => page.getByLabel('Branch 2 environment').inputValue()).toBe('staging');
    expect(await page.getByLabel('Branch 1 environment').inputValue()).toBe('');

    // The start dialog offers the new environment and says what it changes.
    await page.keyboard.press('Control+2');
    await page.getByRole('button', { name: 'New bake' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bake an AMI' });
    await dialog.getByLabel('Project', { exact: true }).click();
    await page.getByRole('option', { name: 'multi', exact: true }).click();
    await dialog.getByLabel('Environment', { exact: true }).click();
    await page.getByRole('option', { name: 'staging', exact: true }).click();
    await dialog.getByText('instance type t3.small').waitFor();
    await page.keyboard.press('Escape');
    expect(app.errors).toEqual([]);
    await app.close();
  });

  it('renames an environment with its branches and deletes one no branch bakes', async () => {
    const app = await openApp(browser());
    const { page, bridge } = app;
    await bridge.ctx.runtime.store.projects.create({
      name: 'renamed',
      baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' },
      initScript: '#!/bin/bash\ntrue\n',
      env: { APP_MODE: 'dev' },
      environments: { stage: { env: { APP_MODE: 'stage' } }, scratch: { env: {} } },
      triggers: { branches: ['release'], environments: { release: 'stage' } },
    });
    await openProject(page, 'renamed');
    await page.getByRole('tab', { name: 'Environments' }).click();

    await page.getByRole('button', { name: 'Rename stage' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename stage' });
    await rename.getByLabel('Environment name').fill('scratch');
    await rename.getByText('There is already an environment named scratch.').waitFor();
    await rename.getByLabel('Environment name').fill('preprod');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await rename.waitFor({ state: 'detached' });
    await page
      .getByRole('region', { name: 'Environment preprod' })
      .getByText('A push to release bakes it')
      .waitFor();

    await page.getByRole('button', { name: 'Delete scratch' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete scratch?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('region', { name: 'Environment scratch' }).waitFor({ state: 'detached' });

    await page.keyboard.press('Control+s');
    await page.getByText('Unsaved changes').waitFor({ state: 'detached' });
    const saved = (await bridge.ctx.runtime.store.projects.get('renamed'))!.project;
    expect(saved.environments).toEqual({ preprod: { env: { APP_MODE: 'stage' } } });
    expect(saved.triggers).toEqual({ branches: ['release'], environments: { release: 'preprod' } });
    expect(app.errors).toEqual([]);
    await app.close();
  });
});
