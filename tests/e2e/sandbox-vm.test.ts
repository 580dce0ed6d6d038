import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fakeImageDir } from '../unit/sandbox/vm/fixture';
import { openApp, poll, useBrowser } from './harness';

const browser = useBrowser();

describe('Settings: run the Sandbox on a local VM', () => {
  it('checks the image in main, saves the choice, and the Sandbox starts with it', async () => {
    const image = await fakeImageDir();
    const app = await openApp(browser(), { colorScheme: 'light' });
    const { page } = app;
    try {
      await page.keyboard.press('Control+3');
      const section = page.getByRole('region', { name: 'Sandbox virtual machines' });
      await section.getByText(/^QEMU \d/).waitFor();
      const toggle = section.getByRole('switch', {
        name: 'Run Sandbox instances of this image on a local VM',
      });
      expect(await toggle.isDisabled()).toBe(false);

      const path = section.getByRole('textbox', { name: 'Image' });
      await path.fill('/nonexistent/debian.qcow2');
      await path.press('Enter');
      await section.getByText('VM image /nonexistent/debian.qcow2 does not exist').waitFor();

      await path.fill(image);
      await path.press('Enter');
      await section.getByText('debian-12-local-0123456789ab', { exact: true }).waitFor();
      await section.getByText('Usable').waitFor();
      // The switch shows main's saved settings, so it flips once the save has come back: wait for that, as
      // a person would see it, rather than expecting the click itself to change it.
      await toggle.click({ force: true });
      await expect.poll(() => toggle.isChecked()).toBe(true);
      await poll(() => app.bridge.ctx.settings.get().sandbox.vm).toMatchObject({ enabled: true, image });
      await app.screenshot('settings-sandbox-vm');

      // The Sandbox now starts in VM mode: its AMI is the image's.
      await app.bridge.ctx.runtime.sandbox.ensure();
      expect(app.bridge.ctx.runtime.sandbox.status().vm).toMatchObject({ on: true });
      expect(app.bridge.ctx.runtime.sandbox.running!.sim.vm()!.image.name).toBe(
        'debian-12-local-0123456789ab',
      );
      expect(app.errors).toEqual([]);
    } finally {
      await app.close();
      await rm(image, { recursive: true, force: true });
    }
  });
});
