import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApp, useBrowser } from './harness';

const browser = useBrowser();

describe('the app shell in Chromium', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`shows the navigation and real empty states (${scheme} system theme)`, async () => {
      const app = await openApp(browser(), { colorScheme: scheme });
      const { page } = app;
      const nav = page.getByRole('navigation', { name: 'Main navigation' });
      await expect
        .poll(() => nav.getByRole('button').allTextContents())
        .toEqual([
          expect.stringContaining('Projects'),
          expect.stringContaining('Bakes'),
          expect.stringContaining('Settings'),
        ]);
      await page.getByText('No projects yet').waitFor();
      // Mantine follows the OS scheme when the setting is "system".
      expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe(scheme);
      await app.screenshot(`shell-projects-${scheme}`);

      await nav.getByRole('button', { name: /Bakes/ }).click();
      await page.getByText('No bakes yet').waitFor();
      expect(await nav.getByRole('button', { name: /Bakes/ }).getAttribute('aria-current')).toBe('page');

      await page.keyboard.press('Control+3');
      await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
      await expect.poll(() => page.getByLabel('Data directory').textContent()).toBe(app.bridge.dataDir);
      await app.screenshot(`shell-settings-${scheme}`);
      expect(app.errors).toEqual([]);
      await app.close();
    });
  }

  it('switches the theme from Settings, persists it, and keeps it after a reload', async () => {
    const app = await openApp(browser(), { colorScheme: 'light' });
    const { page } = app;
    await page.keyboard.press('Control+3');
    await page.getByRole('radiogroup', { name: 'Theme' }).getByText('Dark', { exact: true }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    const saved = JSON.parse(readFileSync(join(app.bridge.dataDir, 'settings.json'), 'utf8'));
    expect(saved.theme).toBe('dark');
    await page.reload();
    // The reload comes back to the page it left.
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
    await expect.poll(() => page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    expect(app.errors).toEqual([]);
    await app.close();
  });

  it('tells the user when the settings file was corrupt, and the notice can be dismissed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qx-e2e-corrupt-'));
    writeFileSync(join(dataDir, 'settings.json'), 'not json at all');
    const app = await openApp(browser(), { dataDir });
    const { page } = app;
    const notice = page.getByRole('region', { name: 'Notices' });
    await notice.getByText('Settings were reset').waitFor();
    await app.screenshot('shell-corrupt-settings-notice');
    await notice.getByRole('button', { name: 'Dismiss: Settings were reset' }).click();
    await notice.waitFor({ state: 'detached' });
    expect(app.bridge.ctx.notices.list()).toEqual([]);
    await app.close();
  });
});
