import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxManager } from '../../../src/main/runtime/sandbox-manager';
import { vmOptionsFromSettings } from '../../../src/main/runtime/sandbox-vm-settings';
import { sandboxClientConfig } from '../../../src/sandbox';
import { SandboxVmSettingsSchema } from '../../../src/shared/settings';
import { FAKE_QEMU, fakeImageDir } from '../sandbox/vm/fixture';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function selfImages(url: string): Promise<string[]> {
  const ec2 = new EC2Client({ ...sandboxClientConfig({ url }), maxAttempts: 1 });
  try {
    const out = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    return (out.Images ?? []).map((i) => i.Name ?? '');
  } finally {
    ec2.destroy();
  }
}

describe('the Sandbox profile with "Run on a local VM"', () => {
  it('maps the settings to VM options only when on and given an image', () => {
    const settings = SandboxVmSettingsSchema.parse({});
    expect(vmOptionsFromSettings(settings)).toBeUndefined();
    expect(vmOptionsFromSettings({ ...settings, enabled: true })).toBeUndefined();
    expect(
      vmOptionsFromSettings({
        ...settings,
        enabled: true,
        image: ' /img/x.qcow2 ',
        kernelArgs: ' ',
        mirror: true,
      }),
    ).toEqual({ image: '/img/x.qcow2', mirror: true, maxVms: 2 });
  });

  it('restarts on the same port once idle when the VM settings change, and not while an instance runs', async () => {
    const image = await fakeImageDir();
    cleanups.push(() => rm(image, { recursive: true, force: true }));
    const manager = new SandboxManager({ sandbox: { seed: 'manager' } });
    cleanups.push(() => manager.close());
    const { url } = await manager.ensure();
    expect(await selfImages(url)).toEqual([]);

    manager.configure({ image, qemu: FAKE_QEMU, accel: 'tcg' });
    expect((await manager.ensure()).url).toBe(url);
    expect(manager.status().vm).toMatchObject({ on: true, image: 'debian-12-local-0123456789ab' });
    expect(await selfImages(url)).toEqual(['debian-12-local-0123456789ab']);

    // An instance is running in it: the change waits.
    const ec2 = new EC2Client({ ...sandboxClientConfig({ url }), maxAttempts: 1 });
    cleanups.push(() => Promise.resolve(ec2.destroy()));
    const ami = manager.running!.sim.images({ region: 'us-east-1' })[0]!.imageId;
    await ec2.send(
      new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
    );
    const before = manager.running;
    manager.configure(undefined);
    await manager.ensure();
    expect(manager.running).toBe(before);
    expect(manager.status().vm).toMatchObject({ on: true });
  });

  it('keeps a plain Sandbox and says why when the VM image cannot be used', async () => {
    const manager = new SandboxManager({ sandbox: { seed: 'manager', vm: { image: '/nonexistent/image' } } });
    cleanups.push(() => manager.close());
    const { url } = await manager.ensure();
    expect(manager.status().vm).toEqual({ on: false, error: 'VM image /nonexistent/image does not exist' });
    expect(await selfImages(url)).toEqual([]);
  });
});
