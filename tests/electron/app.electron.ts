import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../helpers/paths';

/**
 * The real Electron app, for machines that have the Electron binary (it downloads on first `npm start`).
 * Not part of `npm test`: CI here has no Electron binary and cannot download one. Run `npm run test:electron`.
 */
let app: Awaited<ReturnType<typeof electron.launch>>;

beforeAll(async () => {
  requireBuild();
  app = await electron.launch({
    args: [ROOT],
    cwd: ROOT,
    env: { ...process.env, QUADRAXIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'qx-electron-')) },
  });
});

afterAll(async () => {
  await app?.close();
});

describe('Quadraxis in Electron', () => {
  it('opens one hardened window on app://quadraxis with the shell rendered', async () => {
    const page = await app.firstWindow();
    await page.locator('body[data-ready="true"]').waitFor();
    expect(page.url()).toBe('app://quadraxis/index.html');
    // No Node in the page (nodeIntegration off, sandboxed), only the contract's API object.
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe(
      'undefined',
    );
    expect(await page.evaluate(() => Object.keys(window.quadraxis).sort())).toContain('settings');
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('button', { name: /Settings/ })
      .click();
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
  });

  it('refuses to open a second window through window.open', async () => {
    const page = await app.firstWindow();
    await page.evaluate(() => window.open('https://example.com'));
    expect(app.windows()).toHaveLength(1);
  });
});
