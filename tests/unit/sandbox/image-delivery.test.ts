import {
  CopyImageCommand,
  CreateImageCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DisableImageCommand,
  EC2Client,
  EnableImageCommand,
  EnableImageDeprecationCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, openSandbox, REGION, type TestSandbox } from './helpers';

/**
 * What issue 16 needs of EC2, round-tripped through the real SDK: encrypted volumes at launch and the
 * snapshots CreateImage makes of them, CopyImage across regions (pending with snapshot progress, encrypted
 * with the destination's key, failing later — not in the call — with a bad key), launch and create-volume
 * permissions, deprecation and disabling.
 */
let t: TestSandbox;
let west: EC2Client;
let baseImage: string;
const OTHER = 'us-west-2';
const timings = {
  pendingMs: 1_000,
  bootMs: 1_000,
  scriptDefaultMs: 1_000,
  shutdownDelayMs: 0,
  stoppingMs: 1_000,
  imagePendingMs: 10_000,
  copyImageMs: 40_000,
};

beforeEach(async () => {
  t = await openSandbox({ timings });
  west = new EC2Client({ ...t.config, region: OTHER });
  const images = await t.ec2.send(
    new DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [{ Name: 'name', Values: ['al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64'] }],
    }),
  );
  baseImage = images.Images![0]!.ImageId!;
});
afterEach(async () => {
  west.destroy();
  await t.close();
});

const keyArn = (region: string, alias: string) => t.sandbox.sim.kmsKey(region, alias)!.arn;

/** Launches, stops and images a builder; returns the image once it is available. */
async function bakeImage(name: string, encryption?: { KmsKeyId?: string }): Promise<string> {
  const run = await t.ec2.send(
    new RunInstancesCommand({
      ImageId: baseImage,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      ...(encryption
        ? {
            BlockDeviceMappings: [
              { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, ...encryption, VolumeType: 'gp3' } },
            ],
          }
        : {}),
    }),
  );
  const instanceId = run.Instances![0]!.InstanceId!;
  await t.clock.advance(2_000);
  await t.ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
  await t.clock.advance(2_000);
  const { ImageId } = await t.ec2.send(
    new CreateImageCommand({
      InstanceId: instanceId,
      Name: name,
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'quadraxis:project', Value: 'web' }] }],
    }),
  );
  await t.clock.advance(10_001);
  return ImageId!;
}

const image = async (client: EC2Client, id: string, more: { IncludeDisabled?: boolean } = {}) =>
  (await client.send(new DescribeImagesCommand({ ImageIds: [id], ...more }))).Images?.[0];

describe('encrypted volumes at launch', () => {
  it('encrypts the root volume with the named key, and CreateImage keeps it on every snapshot', async () => {
    const arn = keyArn(REGION, 'alias/quadraxis-images');
    const id = await bakeImage('enc-1', { KmsKeyId: 'alias/quadraxis-images' });
    const made = await image(t.ec2, id);
    expect(made?.BlockDeviceMappings?.[0]?.Ebs).toMatchObject({ Encrypted: true, KmsKeyId: arn });
    const snaps = await t.ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [made!.BlockDeviceMappings![0]!.Ebs!.SnapshotId!] }),
    );
    expect(snaps.Snapshots?.[0]).toMatchObject({ Encrypted: true, KmsKeyId: arn, State: 'completed' });
    const volumes = await t.ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'encrypted', Values: ['true'] }] }),
    );
    expect(volumes.Volumes?.map((v) => v.KmsKeyId)).toEqual([arn]);
  });

  it('without a key uses alias/aws/ebs; a KmsKeyId without Encrypted is refused up front', async () => {
    const id = await bakeImage('enc-default', {});
    expect((await image(t.ec2, id))?.BlockDeviceMappings?.[0]?.Ebs?.KmsKeyId).toBe(
      keyArn(REGION, 'alias/aws/ebs'),
    );
    const refused = await errorOf(
      t.ec2.send(
        new RunInstancesCommand({
          ImageId: baseImage,
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { KmsKeyId: 'alias/quadraxis-images' } }],
        }),
      ),
    );
    expect(refused.name).toBe('InvalidParameterDependency');
  });

  it('a key that does not exist or is disabled fails the launch after the call answered', async () => {
    for (const alias of ['alias/no-such-key', 'alias/quadraxis-retired']) {
      const run = await t.ec2.send(
        new RunInstancesCommand({
          ImageId: baseImage,
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, KmsKeyId: alias } }],
        }),
      );
      const id = run.Instances![0]!.InstanceId!;
      expect(run.Instances![0]!.State?.Name).toBe('pending');
      await t.clock.advance(1_001);
      const seen = await t.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      expect(seen.Reservations![0]!.Instances![0]).toMatchObject({
        State: { Name: 'terminated' },
        StateReason: { Code: 'Client.InvalidKMSKey.InvalidState' },
      });
    }
  });
});

describe('CopyImage', () => {
  it('copies across regions: pending with growing snapshot progress, then available, tagged and encrypted as asked', async () => {
    const source = await bakeImage('web-v1');
    const westKey = keyArn(OTHER, 'alias/quadraxis-images');
    const { ImageId } = await west.send(
      new CopyImageCommand({
        SourceRegion: REGION,
        SourceImageId: source,
        Name: 'web-v1',
        Encrypted: true,
        KmsKeyId: 'alias/quadraxis-images',
        ClientToken: 'bk-1-us-west-2',
        TagSpecifications: [
          { ResourceType: 'image', Tags: [{ Key: 'quadraxis:project', Value: 'web' }] },
          { ResourceType: 'snapshot', Tags: [{ Key: 'quadraxis:bake-id', Value: 'bk-1' }] },
        ],
      }),
    );
    expect(ImageId).toMatch(/^ami-[0-9a-f]{17}$/);
    // Not in the source region: AMI ids are regional.
    expect(await image(t.ec2, ImageId!).catch((e: Error) => e.name)).toBe('InvalidAMIID.NotFound');
    const pending = await image(west, ImageId!);
    expect(pending).toMatchObject({
      State: 'pending',
      SourceImageId: source,
      SourceImageRegion: REGION,
      Tags: expect.arrayContaining([{ Key: 'quadraxis:project', Value: 'web' }]),
    });
    await t.clock.advance(10_000);
    const reading = await west.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:quadraxis:bake-id', Values: ['bk-1'] }] }),
    );
    expect(reading.Snapshots?.[0]).toMatchObject({
      State: 'pending',
      Progress: '25%',
      Encrypted: true,
      KmsKeyId: westKey,
      VolumeId: 'vol-ffffffff',
    });
    // A retry with the same token gets the same copy, not a second one.
    const again = await west.send(
      new CopyImageCommand({
        SourceRegion: REGION,
        SourceImageId: source,
        Name: 'web-v1',
        Encrypted: true,
        KmsKeyId: 'alias/quadraxis-images',
        ClientToken: 'bk-1-us-west-2',
        TagSpecifications: [
          { ResourceType: 'image', Tags: [{ Key: 'quadraxis:project', Value: 'web' }] },
          { ResourceType: 'snapshot', Tags: [{ Key: 'quadraxis:bake-id', Value: 'bk-1' }] },
        ],
      }),
    );
    expect(again.ImageId).toBe(ImageId);
    await t.clock.advance(30_001);
    const done = await image(west, ImageId!);
    expect(done).toMatchObject({ State: 'available' });
    expect(done?.BlockDeviceMappings?.[0]?.Ebs).toMatchObject({ Encrypted: true, KmsKeyId: westKey });
  });

  it('fails the copy later, not the call, when the key does not exist in the destination', async () => {
    const source = await bakeImage('web-v2');
    const { ImageId } = await west.send(
      new CopyImageCommand({
        SourceRegion: REGION,
        SourceImageId: source,
        Name: 'web-v2',
        Encrypted: true,
        KmsKeyId: keyArn(REGION, 'alias/quadraxis-images'), // the source region's key: nothing in us-west-2
      }),
    );
    await t.clock.advance(40_001);
    expect(await image(west, ImageId!)).toMatchObject({
      State: 'failed',
      StateReason: { Message: 'Copy image failed with an internal error.' },
    });
  });

  it('fails copies into a region the scenario names, and refuses a taken name or a missing source', async () => {
    const source = await bakeImage('web-v3');
    t.sandbox.sim.setScenario({ copyFailsIn: [OTHER] });
    const { ImageId } = await west.send(
      new CopyImageCommand({ SourceRegion: REGION, SourceImageId: source, Name: 'web-v3' }),
    );
    await t.clock.advance(40_001);
    expect((await image(west, ImageId!))?.State).toBe('failed');
    const taken = await errorOf(
      west.send(new CopyImageCommand({ SourceRegion: REGION, SourceImageId: source, Name: 'web-v3' })),
    );
    expect(taken.name).toBe('InvalidAMIName.Duplicate');
    const missing = await errorOf(
      west.send(
        new CopyImageCommand({ SourceRegion: REGION, SourceImageId: 'ami-0123456789abcdef0', Name: 'x-1' }),
      ),
    );
    expect(missing.name).toBe('InvalidAMIID.NotFound');
  });
});

describe('launch and create-volume permissions', () => {
  it('shares with accounts, organizations and OUs, and refuses a malformed account id changing nothing', async () => {
    const id = await bakeImage('share-1');
    const org = 'arn:aws:organizations::111122223333:organization/o-abcdefghij';
    const ou = 'arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-abcdefgh';
    await t.ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: id,
        LaunchPermission: {
          Add: [{ UserId: '111122223333' }, { OrganizationArn: org }, { OrganizationalUnitArn: ou }],
        },
      }),
    );
    const bad = await errorOf(
      t.ec2.send(
        new ModifyImageAttributeCommand({
          ImageId: id,
          LaunchPermission: { Add: [{ UserId: '444455556666' }, { UserId: '1234-5678-9012' }] },
        }),
      ),
    );
    expect(bad).toMatchObject({ name: 'InvalidAMIAttributeItemValue', status: 400 });
    expect(bad.message).toContain('1234-5678-9012');
    const attr = await t.ec2.send(
      new DescribeImageAttributeCommand({ ImageId: id, Attribute: 'launchPermission' }),
    );
    expect(attr.LaunchPermissions).toEqual([
      { UserId: '111122223333' },
      { OrganizationArn: org },
      { OrganizationalUnitArn: ou },
    ]);
  });

  it('lets accounts create volumes from a snapshot encrypted with a customer key, never from the AWS managed key', async () => {
    const shareable = await bakeImage('share-2', { KmsKeyId: 'alias/quadraxis-images' });
    const snap = (await image(t.ec2, shareable))!.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    await t.ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: snap,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        UserIds: ['111122223333'],
      }),
    );
    const attr = await t.ec2.send(
      new DescribeSnapshotAttributeCommand({ SnapshotId: snap, Attribute: 'createVolumePermission' }),
    );
    expect(attr.CreateVolumePermissions).toEqual([{ UserId: '111122223333' }]);

    const managed = await bakeImage('share-3', {});
    const managedSnap = (await image(t.ec2, managed))!.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    const refused = await errorOf(
      t.ec2.send(
        new ModifySnapshotAttributeCommand({
          SnapshotId: managedSnap,
          CreateVolumePermission: { Add: [{ UserId: '111122223333' }] },
        }),
      ),
    );
    expect(refused.name).toBe('OperationNotPermitted');
  });
});

describe('deprecation and disabling', () => {
  it('records a deprecation time rounded to the minute and refuses the past', async () => {
    const id = await bakeImage('dep-1');
    const at = new Date(t.clock.now() + 90_500);
    await t.ec2.send(new EnableImageDeprecationCommand({ ImageId: id, DeprecateAt: at }));
    expect((await image(t.ec2, id))?.DeprecationTime).toBe(
      new Date(Math.round(at.getTime() / 60_000) * 60_000).toISOString(),
    );
    const past = await errorOf(
      t.ec2.send(
        new EnableImageDeprecationCommand({ ImageId: id, DeprecateAt: new Date(t.clock.now() - 3_600_000) }),
      ),
    );
    expect(past.name).toBe('InvalidParameterValue');
  });

  it('a disabled image is hidden unless asked for, loses its permissions, cannot launch, and can still be deregistered', async () => {
    const id = await bakeImage('dis-1');
    await t.ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: id,
        LaunchPermission: { Add: [{ UserId: '111122223333' }] },
      }),
    );
    await t.ec2.send(new DisableImageCommand({ ImageId: id }));
    expect(await image(t.ec2, id)).toBeUndefined();
    expect((await image(t.ec2, id, { IncludeDisabled: true }))?.State).toBe('disabled');
    const attr = await t.ec2.send(
      new DescribeImageAttributeCommand({ ImageId: id, Attribute: 'launchPermission' }),
    );
    expect(attr.LaunchPermissions).toEqual([]);
    const launch = await errorOf(
      t.ec2.send(
        new RunInstancesCommand({ ImageId: id, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
      ),
    );
    expect(launch.name).toBe('InvalidAMIID.Unavailable');
    await t.ec2.send(new EnableImageCommand({ ImageId: id }));
    expect((await image(t.ec2, id))?.State).toBe('available');
    await t.ec2.send(new DisableImageCommand({ ImageId: id }));
    await t.ec2.send(new DeregisterImageCommand({ ImageId: id }));
    expect(await image(t.ec2, id, { IncludeDisabled: true }).catch((e: Error) => e.name)).toBe(
      'InvalidAMIID.NotFound',
    );
  });
});
