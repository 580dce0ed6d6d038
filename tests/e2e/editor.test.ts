import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { versionInput } from '../helpers/version-input';
import { openApp, poll, screenshotBothThemes, useBrowser, type AppPage } from './harness';

const browser = useBrowser();

const SCRIPT = '#!/bin/bash\nset -euo pipefail\necho "hello"\n';

async function createProject(app: AppPage, name: string, initScript = SCRIPT): Promise<void> {
  await app.bridge.ctx.runtime.store.projects.create({
    name,
    baseImage: {
      kind: 'ssm',
      parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    },
    initScript,
  });
}

/** Opens a project from the list, the way a person does, and waits for its script editor. */
async function openProject(page: Page, name: string) {
  // Projects written straight to the store raise no event: visiting the list again reads it afresh.
  await page.keyboard.press('Control+2');
  await page.keyboard.press('Control+1');
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 2 }).waitFor();
  const editor = page.getByRole('textbox', { name: 'Init script' });
  await editor.waitFor({ state: 'attached' });
  return editor;
}

/** Replaces the whole script by pasting, as a person would (typing 20 KB key by key takes a minute). */
async function replaceScript(page: Page, editor: ReturnType<Page['getByRole']>, text: string) {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await editor.focus();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Control+v');
}

const problem = (page: Page, code: string) =>
  page.getByRole('list', { name: 'Script problems' }).locator(`[data-code="${code}"]`);
/** Monaco renders spaces as non-breaking ones. */
const editorText = async (page: Page, selector = '.monaco-editor .view-lines') =>
  ((await page.locator(selector).first().textContent()) ?? '').replace(/\u00a0/g, ' ');
const meter = (page: Page) => page.getByRole('group', { name: 'User data size' });

function versionOf(project: string, version: number, initScript: string) {
  return versionInput(project, {
    bakeId: `bk_${(Date.now() + version).toString(36).padStart(10, '0')}${'v'.repeat(10)}`,
    createdAt: Date.now() - (3 - version) * 3600_000,
    imageId: `ami-0${String(version).repeat(16)}`,
    imageName: `${project}-${version}`,
    initScript,
    apiCalls: 12,
    durationMs: 95_000,
  });
}

describe('init-script editor', () => {
  it('shows live diagnostics as markers, the user-data meter, and allows saving a script the bake would refuse', async () => {
    const app = await openApp(browser());
    const { page, bridge } = app;
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await createProject(app, 'diag');
    const editor = await openProject(page, 'diag');
    await page.getByRole('status', { name: 'Script problems' }).getByText('No problems found').waitFor();
    await poll(() => meter(page).getAttribute('data-level')).toBe('ok');

    // Without the shebang on line 1: a diagnostic at line 1 and a marker in the editor; the quick fix restores it.
    await replaceScript(
      page,
      editor,
      'set -e\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\napt-get update\n',
    );
    await problem(page, 'missing-shebang').getByText('Line 1').waitFor();
    await problem(page, 'secret').getByText('Line 2').waitFor();
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor();
    await screenshotBothThemes(app, 'editor-diagnostics');
    await problem(page, 'missing-shebang').getByRole('button', { name: 'Add #!/bin/bash' }).click();
    await problem(page, 'missing-shebang').waitFor({ state: 'detached' });

    // 20 KB of ordinary script: over EC2's 16 KB raw, fine gzipped, and the meter says so.
    const bulky = `#!/bin/bash\n${'echo "installing one more package with a long descriptive comment"\n'.repeat(320)}`;
    expect(bulky.length).toBeGreaterThan(20_000);
    await replaceScript(page, editor, bulky);
    await poll(() => meter(page).getAttribute('data-level')).toBe('gzip');
    await problem(page, 'user-data-gzipped').waitFor();
    await meter(page)
      .getByText(/sends it gzip-compressed/)
      .waitFor();
    await screenshotBothThemes(app, 'editor-size-gzip');

    // Random bulk does not compress: refused even gzipped — said in the meter and as an error, but still savable.
    const noise = `#!/bin/bash\n: '${randomBytes(24_000).toString('base64')}'\n`;
    await replaceScript(page, editor, noise);
    await poll(() => meter(page).getAttribute('data-level')).toBe('over');
    await problem(page, 'user-data-too-large')
      .getByText(/the bake will be refused/)
      .waitFor();
    await screenshotBothThemes(app, 'editor-size-over');
    await page.keyboard.press('Control+s');
    await page.getByText('Unsaved changes').waitFor({ state: 'detached' });
    expect((await bridge.ctx.runtime.store.projects.get('diag'))?.project.initScript).toBe(noise);
    expect(app.errors).toEqual([]);
    await app.close();
  });

  it('warns about a Xen instance type in the project and the start dialog, and about a secret in an env value', async () => {
    const app = await openApp(browser());
    const { page } = app;
    await app.bridge.ctx.runtime.store.projects.create({
      name: 'legacy',
      baseImage: {
        kind: 'ssm',
        parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      },
      instanceType: 't2.micro',
      initScript: SCRIPT,
      env: { STAGE: 'prod' },
    });
    await openProject(page, 'legacy');

    await page.getByRole('tab', { name: /Launch settings/ }).click();
    const note = page.getByRole('note', { name: 'Xen instance type' });
    await note.getByText(/t2\.micro runs on the Xen hypervisor/).waitFor();
    await screenshotBothThemes(app, 'editor-xen-type');

    // The start dialog says it too, before anything is launched.
    await page.keyboard.press('Control+2');
    await page.getByRole('button', { name: 'New bake' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bake an AMI' });
    await dialog.getByLabel('Project', { exact: true }).click();
    await page.getByRole('option', { name: 'legacy', exact: true }).click();
    await dialog
      .getByRole('note', { name: 'Xen instance type' })
      .getByText(/up to 15 minutes/)
      .waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await openProject(page, 'legacy');
    // A value typed into the environment is scanned like the script, and says where it would be visible.
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Variable 2 name').fill('DB_PASSWORD');
    await page.getByLabel('Variable 2 value').fill('hunter2');
    const secret = page.getByRole('alert', { name: 'Variable 2 looks like a secret' });
    await secret.getByText(/DescribeInstanceAttribute \(userData\)/).waitFor();
    await page.getByLabel('Variable 2 value').fill('$FROM_SSM');
    await secret.waitFor({ state: 'detached' });

    expect(app.errors).toEqual([]);
    await app.close();
  });

  it('edits env references, sets a SecureString from a masked field, keeps environments, and the start dialog asks which', async () => {
    const app = await openApp(browser());
    const { page, bridge } = app;
    await bridge.ctx.runtime.store.projects.create({
      name: 'secretive',
      baseImage: {
        kind: 'ssm',
        parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      },
      initScript: SCRIPT,
      iamInstanceProfile: 'builder-role',
      env: { APP_MODE: 'dev', API_TOKEN: { secretsManager: 'dev/api', key: 'token' } },
      environments: { prod: { env: { APP_MODE: 'prod' }, instanceType: 't3.small' } },
    });
    await openProject(page, 'secretive');
    expect(await page.getByLabel('Variable 2 secret').inputValue()).toBe('dev/api');
    expect(await page.getByLabel('Variable 2 JSON key').inputValue()).toBe('token');
    // A plain value becomes a reference to a parameter, whose SecureString is set from here.
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Variable 3 name').fill('DB_PASSWORD');
    await page.getByLabel('Variable 3 source').selectOption('ssm');
    await page.getByLabel('Variable 3 parameter name').fill('/app/dev/db-password');
    await page.getByRole('button', { name: 'Set the value of variable 3' }).click();
    const modal = page.getByRole('dialog', { name: 'Set /app/dev/db-password' });
    await modal.getByLabel('Value', { exact: true }).fill('typed-in-the-masked-field');
    expect(await modal.getByLabel('Value', { exact: true }).getAttribute('type')).toBe('password');
    await modal.getByRole('button', { name: 'Save as SecureString' }).click();
    await modal
      .getByRole('status')
      .getByText(/Saved \/app\/dev\/db-password version 1/)
      .waitFor();
    expect(await modal.getByLabel('Value', { exact: true }).inputValue()).toBe('');
    await screenshotBothThemes(app, 'editor-set-secret');
    await modal.getByRole('button', { name: 'Done' }).click();
    await page.keyboard.press('Control+s');
    await poll(
      async () => (await bridge.ctx.runtime.store.projects.get('secretive'))?.project.env.DB_PASSWORD,
    ).toEqual({
      ssm: '/app/dev/db-password',
    });
    const saved = (await bridge.ctx.runtime.store.projects.get('secretive'))!.project;
    expect(saved.env.API_TOKEN).toEqual({ secretsManager: 'dev/api', key: 'token' });
    expect(saved.environments?.prod?.instanceType).toBe('t3.small');
    const parameter = bridge.ctx.runtime.sandbox
      .running!.sim.parameters()
      .find((p) => p.name === '/app/dev/db-password');
    expect(parameter).toMatchObject({ type: 'SecureString', value: 'typed-in-the-masked-field' });

    // The start dialog asks which environment, and says what it changes.
    await page.getByText('Unsaved changes').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+2');
    await page.getByRole('button', { name: 'New bake' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bake an AMI' });
    await dialog.getByLabel('Project', { exact: true }).click();
    await page.getByRole('option', { name: 'secretive', exact: true }).click();
    await dialog.getByLabel('Environment', { exact: true }).click();
    await page.getByRole('option', { name: 'prod', exact: true }).click();
    await dialog.getByText('instance type t3.small').waitFor();
    await page.keyboard.press('Escape');
    expect(app.errors).toEqual([]);
    await app.close();
  });

  it('diffs any two versions, and the editor’s unsaved script against the latest', async () => {
    const app = await openApp(browser());
    const { page, bridge } = app;
    await createProject(app, 'history', '#!/bin/bash\necho three\n');
    const { versions } = bridge.ctx.runtime.store;
    await versions.record(versionOf('history', 1, '#!/bin/bash\necho one\n'));
    await versions.record(versionOf('history', 2, '#!/bin/bash\necho one\necho two\n'));
    const editor = await openProject(page, 'history');

    await page.getByRole('tab', { name: 'Versions' }).click();
    const table = page.getByRole('table', { name: 'Versions' });
    await poll(() => table.getByRole('row').count()).toBe(3);
    await table.getByText('v2').waitFor();
    await page.getByRole('combobox', { name: 'From' }).click();
    await page.getByRole('option', { name: /^Version 1 ·/ }).click();
    await page.getByRole('combobox', { name: 'To' }).click();
    await page.getByRole('option', { name: /^Version 2 ·/ }).click();
    const diff = page.locator('.monaco-diff-editor');
    await diff.locator('.line-insert').first().waitFor();
    await poll(() => editorText(page, '.monaco-diff-editor .modified .view-lines')).toContain('echo two');
    await screenshotBothThemes(app, 'editor-versions-diff');

    await page.getByRole('tab', { name: 'Init script' }).click();
    await editor.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('echo four\n');
    await page.getByRole('tab', { name: 'Versions' }).click();
    await page.getByRole('button', { name: 'Draft vs latest version' }).click();
    await poll(() => editorText(page, '.monaco-diff-editor .modified .view-lines')).toContain('echo four');
    expect(app.errors).toEqual([]);
    await app.close();
  });

  it('asks before leaving unsaved edits, keeps them on cancel, and offers the draft after a reload', async () => {
    const app = await openApp(browser());
    const { page, bridge } = app;
    await createProject(app, 'guarded');
    const editor = await openProject(page, 'guarded');
    await editor.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('echo "not saved yet"\n');
    await page.getByText('Unsaved changes').waitFor();

    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('button', { name: /Bakes/ })
      .click();
    const ask = page.getByRole('dialog', { name: 'Unsaved changes' });
    await ask.waitFor();
    await screenshotBothThemes(app, 'editor-leave-guard');
    await ask.getByRole('button', { name: 'Keep editing' }).click();
    await ask.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'guarded', level: 2 }).waitFor();
    await page.getByText('Unsaved changes').waitFor();

    const drafts = bridge.ctx.runtime.store.drafts;
    await poll(async () => JSON.stringify((await drafts.read('guarded'))?.content ?? {})).toContain(
      'not saved yet',
    );
    page.once('dialog', (dialog) => void dialog.accept());
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    // A reload comes back to the page it left: the same project, now offering the draft.
    await page.getByRole('heading', { name: 'guarded', level: 2 }).waitFor();
    const reopened = page.getByRole('textbox', { name: 'Init script' });
    await reopened.waitFor({ state: 'attached' });
    const banner = page.getByRole('region', { name: 'Unsaved draft' });
    await banner.getByText(/You have unsaved changes from/).waitFor();
    await screenshotBothThemes(app, 'editor-draft-offer');
    await banner.getByRole('button', { name: 'Restore' }).click();
    await page.getByText('Unsaved changes').waitFor();
    await poll(() => editorText(page)).toContain('not saved yet');
    await reopened.focus();

    await page.keyboard.press('Control+2');
    await ask.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('heading', { name: 'Bakes', level: 2 }).waitFor();
    await poll(() => drafts.read('guarded')).toBeUndefined();
    expect((await bridge.ctx.runtime.store.projects.get('guarded'))?.project.initScript).toBe(SCRIPT);
    expect(app.errors).toEqual([]);
    await app.close();
  });
});
