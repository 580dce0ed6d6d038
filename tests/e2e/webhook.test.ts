import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWebhook } from '../../src/main/app/webhook-controller';
import { screenshotBothThemes, useApp } from './harness';

const app = useApp({ colorScheme: 'light' });
beforeAll(async () => {
  await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.bridge.url });
});
// Registered after useApp's, so it runs before the app closes (afterAll hooks run in reverse).
afterAll(async () => {
  await closeWebhook(app.bridge.ctx);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Through the navigation: a focused switch or field swallows the Ctrl+1 shortcut. */
async function openProjects(): Promise<void> {
  await app.page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('button', { name: /Projects/ })
    .click();
}

describe('bake on push', () => {
  it('turns the webhook on, copies the curl line from the Triggers panel, and the bake it starts shows up live', async () => {
    const { page, bridge } = app;
    await bridge.ctx.runtime.store.projects.create({
      name: 'hello-hook',
      description: 'baked by a webhook',
      baseImage: {
        kind: 'ssm',
        parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      },
      initScript: '#!/bin/bash\necho "built from a push"\n',
    });

    // Settings: on, on a free port, this computer only.
    await page.keyboard.press('Control+3');
    const section = page.getByRole('region', { name: 'Webhook' });
    const port = await freePort();
    await section.getByLabel('Port').fill(String(port));
    await section.getByLabel('Port').press('Enter');
    await expect.poll(() => bridge.ctx.settings.get().webhook.port).toBe(port);
    await section.getByRole('switch', { name: 'Accept webhooks' }).click({ force: true });
    await section.getByText(`http://127.0.0.1:${port}`).waitFor();
    expect(bridge.ctx.settings.get().webhook).toEqual({ enabled: true, host: '127.0.0.1', port });
    await screenshotBothThemes(app, 'webhook-settings');

    // The project's Triggers panel: profile, secret, curl line.
    await openProjects();
    await page.getByRole('button', { name: 'hello-hook', exact: true }).click();
    await page.getByRole('tab', { name: 'Triggers' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Triggers' });
    await panel.getByLabel('Hook URL', { exact: true }).waitFor();
    expect(await panel.getByLabel('Hook URL', { exact: true }).textContent()).toBe(
      `http://127.0.0.1:${port}/hooks/hello-hook`,
    );
    await panel.getByText('No secret yet').waitFor();
    await panel.getByLabel('AWS profile for webhook bakes', { exact: true }).click();
    await page.getByRole('option', { name: 'sandbox', exact: true }).click();
    await expect.poll(async () => (await bridge.ctx.runtime.engine.list()).length).toBe(0);
    await panel.getByRole('button', { name: 'Generate secret' }).click();
    await panel.getByText('Copy the secret now').waitFor();
    await panel.getByRole('button', { name: 'Copy curl command' }).click();
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    const parsed = /^curl -fsS -X POST -H "Authorization: (Bearer qxw_[\w-]+)" (http:\/\/\S+)$/.exec(curl);
    expect(parsed, curl).not.toBeNull();
    await screenshotBothThemes(app, 'webhook-triggers-secret');

    // Run it, as a shell would.
    const response = await fetch(parsed![2]!, { method: 'POST', headers: { Authorization: parsed![1]! } });
    expect(response.status).toBe(202);
    const { bakeId } = (await response.json()) as { bakeId: string };

    // The delivery appears without a reload, and leads to the bake, which runs to the end on screen.
    const row = panel
      .getByRole('table', { name: 'Recent deliveries' })
      .getByRole('row')
      .filter({ hasText: bakeId });
    await row.getByText('Baked').waitFor();
    await screenshotBothThemes(app, 'webhook-triggers-delivery');
    await row.getByRole('button', { name: bakeId }).click();
    await page.locator(`[data-bake-id="${bakeId}"]`).waitFor();
    await page.locator('[data-bake-status="succeeded"]').waitFor({ timeout: 60_000 });
    const record = await bridge.ctx.runtime.engine.get(bakeId);
    expect(record).toMatchObject({ status: 'succeeded', trigger: 'webhook', profile: 'sandbox' });
    await screenshotBothThemes(app, 'webhook-bake-succeeded');

    // After a reload the secret is masked; regenerating asks first and stops the old one at once.
    await openProjects();
    await page.getByRole('button', { name: 'hello-hook', exact: true }).click();
    await page.getByRole('tab', { name: 'Triggers' }).click();
    await panel.getByLabel('Secret', { exact: true }).getByText('qxw_••••••••••••').waitFor();
    expect(await panel.textContent()).not.toContain(parsed![1]!.slice('Bearer '.length));
    await panel.getByRole('button', { name: 'Regenerate secret…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Regenerate the secret of hello-hook?' });
    await dialog.getByRole('button', { name: 'Regenerate' }).click();
    await panel.getByText('Copy the secret now').waitFor();
    const old = await fetch(parsed![2]!, { method: 'POST', headers: { Authorization: parsed![1]! } });
    expect(old.status).toBe(401);
    await panel.getByRole('table', { name: 'Recent deliveries' }).getByText('Refused (401)').waitFor();

    expect(app.errors).toEqual([]);
  });
});
