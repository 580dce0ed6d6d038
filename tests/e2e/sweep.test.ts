import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { ROLE_BUILDER, TAG_BAKE_ID, TAG_PROJECT, TAG_ROLE } from '../../src/protocol/builder-tags';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox';
import { poll, screenshotBothThemes, useApp } from './harness';

/**
 * A builder left behind by a process that died on another machine: tagged by Quadraxis, owned by no live
 * bake. The Bakes page finds it in the header's account and terminates it once ticked.
 */
const app = useApp({ colorScheme: 'light' });

async function leaveOrphanBuilder(): Promise<{ ec2: EC2Client; instanceId: string }> {
  const { url } = await app.bridge.ctx.runtime.sandbox.ensure();
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint: url, credentials: SANDBOX_CREDENTIALS });
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const imageId = images.Images?.find((i) => i.Architecture === 'x86_64')?.ImageId;
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: TAG_ROLE, Value: ROLE_BUILDER },
            { Key: TAG_PROJECT, Value: 'lost-project' },
            { Key: TAG_BAKE_ID, Value: 'bk_00000000000000000042' },
          ],
        },
      ],
    }),
  );
  return { ec2, instanceId: out.Instances![0]!.InstanceId! };
}

describe('leftover builders', () => {
  it('are found in the header’s account and terminated once ticked', async () => {
    const { page } = app;
    app.bridge.ctx.settings.update({ profile: 'sandbox' });
    const { ec2, instanceId } = await leaveOrphanBuilder();

    await page.keyboard.press('Control+2');
    await page.getByRole('button', { name: 'Leftover builders…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Leftover builders' });
    const table = dialog.getByRole('table', { name: 'Leftover builders' });
    await table.getByText(instanceId).waitFor();
    await expect.poll(() => table.getByText('lost-project').count()).toBe(1);
    expect(await dialog.getByRole('checkbox', { name: `Terminate ${instanceId}` }).isChecked()).toBe(true);
    await screenshotBothThemes(app, 'sweep-found');

    await dialog.getByRole('button', { name: 'Terminate 1 builder' }).click();
    await dialog.getByText('Builder terminated').waitFor();
    await screenshotBothThemes(app, 'sweep-terminated');
    const state = async () =>
      (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]
        ?.Instances?.[0]?.State?.Name;
    await poll(state).toMatch(/shutting-down|terminated/);

    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await page.getByRole('button', { name: 'Leftover builders…' }).click();
    await page.getByText('Nothing left behind').waitFor();
    await page.keyboard.press('Escape');
    expect(app.errors).toEqual([]);
  });
});
