import { DescribeInstanceAttributeCommand, GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { sandboxClientConfig } from '../../src/sandbox';
import { bake, dropImage, failureText, REGION, token, type VmWorld, vmWorld } from './helpers';

/**
 * Issue 18 on a real VM: the wrapper's python3 helper really asks the VM's instance metadata for the role
 * credentials (IMDSv2), signs GetParameters with SigV4 (verified by the Sandbox) at the one guest address
 * forwarded to the Sandbox, and the script gets the SecureString's value — which no console shows.
 */
let world: VmWorld;
beforeAll(async () => {
  world = await vmWorld('vm-secrets');
});
afterAll(async () => {
  await world?.close();
});

describe('env references on a real builder', () => {
  test('a SecureString reference is fetched by the helper with the instance profile and never shown', async ({
    expect,
  }) => {
    const secret = token('secret');
    const ssm = new SSMClient(sandboxClientConfig(world.sandbox, { region: REGION }));
    await ssm.send(new PutParameterCommand({ Name: '/vm/db-password', Type: 'SecureString', Value: secret }));
    ssm.destroy();
    const record = await bake(world, {
      name: 'vm-secrets',
      iamInstanceProfile: 'builder-role',
      env: { DB_PASSWORD: { ssm: '/vm/db-password' } },
      initScript: [
        '#!/bin/sh',
        'echo "DB_PASSWORD set=${DB_PASSWORD:+yes} length=${#DB_PASSWORD}"',
        'echo "careless: $DB_PASSWORD"',
        '',
      ].join('\n'),
    });
    expect(record.status, failureText(record)).toBe('succeeded');
    const builder = record.instanceId!;
    const console = await world.ec2.send(new GetConsoleOutputCommand({ InstanceId: builder }));
    const text = Buffer.from(console.Output ?? '', 'base64').toString('utf8');
    expect(text).toContain(`DB_PASSWORD set=yes length=${secret.length}`);
    expect(text).toContain('careless: ****');
    expect(text).not.toContain(secret);
    const attribute = await world.ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: builder, Attribute: 'userData' }),
    );
    const bytes = Buffer.from(attribute.UserData?.Value ?? '', 'base64');
    expect((bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString('utf8')).not.toContain(secret);
    // The helper took the role's credentials from instance metadata with an IMDSv2 token…
    expect(world.sandbox.sim.metadataRequests(builder)).toContainEqual(
      expect.objectContaining({
        path: '/latest/meta-data/iam/security-credentials/builder-role',
        status: 200,
        token: true,
      }),
    );
    // …and its signed GetParameters was verified and answered.
    expect(world.sandbox.sim.calls({ action: 'GetParameters' }).map((c) => c.status)).toEqual([200]);
    await dropImage(world, record);
  });
});
