import { readFileSync } from 'node:fs';
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { versionInput } from '../helpers/version-input';
import { openApp, poll, screenshotBothThemes, useBrowser } from './harness';

const browser = useBrowser();

const projectRow = (page: Page, name: string) =>
  page.getByRole('row').filter({ has: page.getByRole('button', { name, exact: true }) });

describe('projects', () => {
  it('on an empty data directory: creates from a template, edits the script, saves, lists it', async () => {
    const app = await openApp(browser());
    const { page, bridge } = app;
    await page.getByText('No projects yet').waitFor();
    await screenshotBothThemes(app, 'projects-empty');

    await page.getByRole('button', { name: 'New project' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByRole('radio', { name: 'Ubuntu 24.04 + Docker' }).click();
    await poll(() => dialog.getByLabel('Project name').inputValue()).toBe('docker-ubuntu');
    await screenshotBothThemes(app, 'projects-new');
    await dialog.getByLabel('Project name').fill('web-docker');
    await dialog.getByRole('button', { name: 'Create project' }).click();

    await page.getByRole('heading', { name: 'web-docker', level: 2 }).waitFor();
    const editor = page.getByRole('textbox', { name: 'Init script' });
    await editor.waitFor({ state: 'attached' });
    await editor.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('echo "baked by the e2e test"\n');
    await page.getByText('Unsaved changes').waitFor();
    await page
      .getByRole('list', { name: 'Script problems' })
      .or(page.getByRole('status', { name: 'Script problems' }))
      .waitFor();
    await screenshotBothThemes(app, 'project-script');

    await page.keyboard.press('Control+s');
    await page.getByText('Unsaved changes').waitFor({ state: 'detached' });
    const saved = await bridge.ctx.runtime.store.projects.get('web-docker');
    expect(saved?.project.initScript).toContain('echo "baked by the e2e test"');
    expect(saved?.project.env).toEqual({ DEBIAN_FRONTEND: 'noninteractive' });

    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('button', { name: /Projects/ })
      .click();
    const row = projectRow(page, 'web-docker');
    await row.getByText('Never baked').waitFor();
    await poll(() => row.getByRole('button', { name: /Bake AMI/ }).count()).toBe(1);
    await screenshotBothThemes(app, 'projects-list');
    expect(app.errors).toEqual([]);
    await app.close();
  });

  it('imports with line-accurate errors, exports, duplicates, renames, deletes, and resolves a save conflict', async () => {
    const app = await openApp(browser());
    const { page, bridge } = app;
    const { store } = bridge.ctx.runtime;
    await page.getByText('No projects yet').waitFor();

    const importFile = (name: string, text: string) =>
      page
        .getByLabel('Project file to import')
        .setInputFiles({ name, mimeType: 'text/yaml', buffer: Buffer.from(text) });
    await importFile(
      'broken.yaml',
      'name: api\nbaseImage:\n  kind: id\n  imageId: ami-123\ninitScript: "#!/bin/sh"\n',
    );
    const problems = page.getByRole('dialog', { name: 'Could not import broken.yaml' });
    await problems.getByText('line 4, column 3').waitFor();
    await problems.getByText('An AMI id looks like ami-0123456789abcdef0.').waitFor();
    await screenshotBothThemes(app, 'projects-import-errors');
    await problems.getByRole('button', { name: 'Close' }).click();

    await importFile('nginx-al2023.yaml', readFileSync('examples/nginx-al2023.yaml', 'utf8'));
    await page.getByRole('heading', { name: 'nginx-al2023', level: 2 }).waitFor();
    expect((await store.projects.get('nginx-al2023'))?.project.tags).toEqual({ team: 'web' });

    // Someone else saves while the editor is open: our save is refused, in words, and "Overwrite" wins.
    const editor = page.getByRole('textbox', { name: 'Init script' });
    await editor.waitFor({ state: 'attached' });
    await editor.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('echo mine\n');
    const theirs = (await store.projects.get('nginx-al2023'))!;
    await store.projects.save(
      { ...theirs.project, description: 'changed by the CLI' },
      { revision: theirs.revision },
    );
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = page.getByRole('dialog', { name: 'Changed elsewhere' });
    await conflict.getByText(/was changed .* since you opened it/).waitFor();
    await screenshotBothThemes(app, 'project-conflict');
    await conflict.getByRole('button', { name: 'Overwrite' }).click();
    await page.getByText('Unsaved changes').waitFor({ state: 'detached' });
    expect((await store.projects.get('nginx-al2023'))?.project.initScript).toContain('echo mine');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'More actions for nginx-al2023' }).click();
    await page.getByRole('menuitem', { name: 'Export YAML' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('nginx-al2023.yaml');
    expect(readFileSync(await file.path(), 'utf8')).toContain('echo mine');

    await page.getByRole('button', { name: 'More actions for nginx-al2023' }).click();
    await page.getByRole('menuitem', { name: 'Duplicate…' }).click();
    const duplicate = page.getByRole('dialog', { name: 'Duplicate nginx-al2023' });
    expect(await duplicate.getByLabel('Name of the copy').inputValue()).toBe('nginx-al2023-copy');
    await duplicate.getByRole('button', { name: 'Duplicate' }).click();
    await page.getByRole('heading', { name: 'nginx-al2023-copy', level: 2 }).waitFor();

    await page.getByRole('button', { name: 'More actions for nginx-al2023-copy' }).click();
    await page.getByRole('menuitem', { name: 'Rename…' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename nginx-al2023-copy' });
    await rename.getByLabel('New name').fill('nginx-al2023');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await rename.getByText('A project named "nginx-al2023" already exists.').waitFor();
    await rename.getByLabel('New name').fill('edge');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { name: 'edge', level: 2 }).waitFor();

    // The list: search, last bake, delete with the versions kept unless asked.
    await store.versions.record(versionOf('edge'));
    await page.keyboard.press('Control+1');
    await projectRow(page, 'edge').waitFor();
    await page.getByLabel('Search projects').fill('edge');
    await poll(() => page.getByRole('row').count()).toBe(2);
    await page.getByLabel('Search projects').fill('');

    // A bake finishing elsewhere (here: the engine directly) updates the list without a reload.
    const { engine } = bridge.ctx.runtime;
    const nginx = (await store.projects.get('nginx-al2023'))!.project;
    const baked = await engine.waitForFinal(
      (await engine.start({ project: nginx, profile: 'sandbox', trigger: 'cli' })).id,
    );
    expect(baked.status).toBe('succeeded');
    const nginxRow = projectRow(page, 'nginx-al2023');
    await nginxRow.getByText('Succeeded').waitFor();
    await nginxRow.getByText(baked.imageId!).waitFor();
    await nginxRow.getByText(/Version 1 · /).waitFor();
    await screenshotBothThemes(app, 'projects-list-baked');

    await page.getByRole('button', { name: 'More actions for edge' }).click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    const remove = page.getByRole('dialog', { name: 'Delete project edge?' });
    await remove.getByLabel('Also delete its 1 version').waitFor();
    await screenshotBothThemes(app, 'projects-delete');
    await remove.getByRole('button', { name: 'Delete project' }).click();
    await projectRow(page, 'edge').waitFor({ state: 'detached' });
    expect(await store.projects.get('edge')).toBeUndefined();
    expect(await store.versions.list('edge')).toHaveLength(1);
    expect(app.errors).toEqual([]);
    await app.close();
  });
});

function versionOf(project: string) {
  return versionInput(project, {
    bakeId: `bk_${Date.now().toString(36).padStart(10, '0')}${'a'.repeat(10)}`,
    createdAt: Date.now(),
  });
}
