import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/main/runtime/runtime';
import { sandboxRuntime } from '../helpers/sandbox-runtime';
import type { BakeRecord } from '../../src/shared/bake';
import { E2E_SANDBOX_TIMINGS } from '../bridge/server';
import { createProject, waitForStatus } from './bake-helpers';
import { poll, screenshotBothThemes, useApp } from './harness';

/**
 * `quadraxis bake` in a terminal while the app is open on the same data directory: a second runtime (its
 * own process token, its own sandbox) stands in for the CLI process. The app shows its bake without a reload.
 */
const app = useApp({ colorScheme: 'light' });
let cli: Runtime;

beforeAll(() => {
  cli = sandboxRuntime(app.bridge.dataDir, {
    actor: 'quadraxis CLI',
    seed: 'e2e-cli',
    sandbox: { timings: E2E_SANDBOX_TIMINGS },
    pollIntervalMs: 250,
    owner: { processToken: 'the CLI process' },
  });
});
afterAll(async () => {
  await cli.close();
});

async function cliBake(project: string): Promise<BakeRecord> {
  const entry = (await cli.store.projects.get(project))!;
  // Forced: the second bake has the same inputs as the first.
  return cli.engine.start({ project: entry.project, profile: 'sandbox', trigger: 'cli', force: true });
}

describe('bakes started by another process', () => {
  it('appear on the Bakes page, move on and succeed there, and their page follows them, with no reload', async () => {
    const { page } = app;
    await createProject(
      app,
      'from-cli',
      '#!/bin/bash\necho "hello from the terminal"\nsleep 4\necho "all done"\n',
    );
    await page.keyboard.press('Control+2');
    await page.getByText('No bakes yet').waitFor();
    // Gone if the page reloads: everything below must arrive live.
    await page.evaluate(() => ((window as unknown as { qxSamePage: boolean }).qxSamePage = true));

    const first = await cliBake('from-cli');
    const row = page.getByRole('table', { name: 'Bakes' }).locator(`tr[data-bake-id="${first.id}"]`);
    await row.waitFor({ timeout: 30_000 });
    await poll(() => row.getAttribute('data-status')).toBe('running');
    await screenshotBothThemes(app, 'bakes-cli-running');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('succeeded');
    await row.getByText('Succeeded').waitFor();
    expect((await cli.engine.waitForFinal(first.id)).status).toBe('succeeded');

    // A second CLI bake, opened while it runs: steps and console arrive on its page.
    const second = await cliBake('from-cli');
    const secondRow = page.getByRole('table', { name: 'Bakes' }).locator(`tr[data-bake-id="${second.id}"]`);
    await secondRow.waitFor({ timeout: 30_000 });
    await secondRow.getByRole('button', { name: `from-cli, bake ${second.id}` }).click();
    await page.locator(`[data-bake-id="${second.id}"][data-bake-status="running"]`).waitFor();
    await waitForStatus(page, 'succeeded');
    const log = page.getByRole('log', { name: 'Console output' });
    await log.getByText('hello from the terminal').waitFor({ timeout: 30_000 });
    await log.getByText('all done').waitFor({ timeout: 30_000 });
    const done = await cli.engine.waitForFinal(second.id);
    await poll(() => page.getByLabel('AMI id', { exact: true }).textContent()).toBe(done.imageId);
    await screenshotBothThemes(app, 'bake-cli-succeeded');

    expect(await page.evaluate(() => (window as unknown as { qxSamePage?: boolean }).qxSamePage)).toBe(true);
    expect(app.errors).toEqual([]);
  });
});
