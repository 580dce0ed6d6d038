import { createServer } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
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
    expect(bridge.ctx.settings.get().webhook).toMatchObject({ enabled: true, host: '127.0.0.1', port });
    await screenshotBothThemes(app, 'webhook-settings');

    // All interfaces over plain HTTP is refused until HTTPS or a proxy is set up.
    await section.getByText('All network interfaces').click();
    await page
      .getByRole('dialog', { name: 'Let other machines reach the webhook?' })
      .getByRole('button', { name: 'Listen on all interfaces' })
      .click();
    await section.getByText('Plain HTTP on the network is refused').waitFor();
    await section.getByText('Not listening').waitFor();
    await screenshotBothThemes(app, 'webhook-settings-exposed');
    await section.getByText('This computer only').click();
    await section.getByText(`http://127.0.0.1:${port}`).waitFor();

    // The project's Triggers panel: profile, token, GitHub secret, curl line.
    await openProjects();
    await page.getByRole('button', { name: 'hello-hook', exact: true }).click();
    await page.getByRole('tab', { name: 'Triggers' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Triggers' });
    await panel.getByLabel('Hook URL', { exact: true }).waitFor();
    expect(await panel.getByLabel('Hook URL', { exact: true }).textContent()).toBe(
      `http://127.0.0.1:${port}/hooks/hello-hook`,
    );
    await panel.getByRole('button', { name: 'Generate token' }).waitFor();
    await panel.getByLabel('AWS profile for webhook bakes', { exact: true }).click();
    await page.getByRole('option', { name: 'sandbox', exact: true }).click();
    await expect.poll(async () => (await bridge.ctx.runtime.engine.list()).length).toBe(0);
    await panel.getByRole('button', { name: 'Generate token' }).click();
    await panel.getByText('Copy the token now').waitFor();
    await panel.getByRole('button', { name: 'Generate GitHub secret' }).click();
    await panel.getByText('Copy the GitHub secret now').waitFor();
    const github = (await panel.getByLabel('GitHub secret', { exact: true }).textContent()) ?? '';
    expect(github).toMatch(/^qxg_[\w-]{43}$/);
    await panel.getByRole('button', { name: 'Copy curl command' }).click();
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    const parsed = /^curl -fsS -X POST -H "Authorization: (Bearer qxt_[\w-]+)" (http:\/\/\S+)$/.exec(curl);
    expect(parsed, curl).not.toBeNull();
    await screenshotBothThemes(app, 'webhook-triggers-secret');

    // Run it, as a shell would.
    const response = await fetch(parsed![2]!, { method: 'POST', headers: { Authorization: parsed![1]! } });
    expect(response.status).toBe(202);
    const { bakeId } = (await response.json()) as { bakeId: string };

    // The delivery appears without a reload, and leads to the bake, which runs to the end on screen.
    const table = panel.getByRole('table', { name: 'Recent deliveries' });
    const row = table.getByRole('row').filter({ hasText: bakeId });
    await row.getByText('Baked').waitFor();
    await screenshotBothThemes(app, 'webhook-triggers-delivery');
    await row.getByRole('button', { name: bakeId }).click();
    await page.locator(`[data-bake-id="${bakeId}"]`).waitFor();
    await page.locator('[data-bake-status="succeeded"]').waitFor({ timeout: 60_000 });
    const record = await bridge.ctx.runtime.engine.get(bakeId);
    expect(record).toMatchObject({ status: 'succeeded', trigger: 'webhook', profile: 'sandbox' });
    await screenshotBothThemes(app, 'webhook-bake-succeeded');

    // After a reload the secrets are masked; regenerating the token asks first and stops the old one at
    // once, and GitHub's signatures keep working.
    await openProjects();
    await page.getByRole('button', { name: 'hello-hook', exact: true }).click();
    await page.getByRole('tab', { name: 'Triggers' }).click();
    await panel.getByLabel('Token', { exact: true }).getByText('qxt_••••••••••••').waitFor();
    await panel.getByLabel('GitHub secret', { exact: true }).getByText('qxg_••••••••••••').waitFor();
    const text = (await panel.textContent()) ?? '';
    expect(text).not.toContain(parsed![1]!.slice('Bearer '.length));
    expect(text).not.toContain(github);
    await panel.getByRole('button', { name: 'Regenerate token…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Regenerate the token of hello-hook?' });
    await dialog.getByText('The GitHub secret is not affected.').waitFor();
    await dialog.getByRole('button', { name: 'Regenerate' }).click();
    await panel.getByText('Copy the token now').waitFor();
    const old = await fetch(parsed![2]!, { method: 'POST', headers: { Authorization: parsed![1]! } });
    expect(old.status).toBe(401);
    const body = JSON.stringify({ zen: 'Anything added dilutes everything else.', hook_id: 1 });
    const ping = await fetch(parsed![2]!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-hub-signature-256': await sign(github, body),
      },
      body,
    });
    expect(ping.status).toBe(200);
    await table.getByText('Ping', { exact: true }).waitFor();
    // The refused request is counted, not listed.
    expect(await table.getByText('Refused (401)').count()).toBe(0);

    expect(app.errors).toEqual([]);
  });
});
