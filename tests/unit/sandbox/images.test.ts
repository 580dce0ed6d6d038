import {
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type DescribeImagesCommandInput,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG_SIMULATED } from '../../../src/protocol/builder-tags';
import { decodeConsole, errorOf, openSandbox, wrappedUserData, type TestSandbox } from './helpers';

let t: TestSandbox;
let baseImage: string;
const timings = {
  pendingMs: 1_000,
  bootMs: 1_000,
  shutdownDelayMs: 0,
  stoppingMs: 1_000,
  imagePendingMs: 10_000,
  shuttingDownMs: 1_000,
};

beforeEach(async () => {
  t = await openSandbox({ timings });
  const images = await t.ec2.send(
    new DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [{ Name: 'name', Values: ['al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64'] }],
    }),
  );
  baseImage = images.Images![0]!.ImageId!;
});
afterEach(() => t.close());

async function builder(script = 'echo building\nsleep 60\n'): Promise<string> {
  const out = await t.ec2.send(
    new RunInstancesCommand({
      ImageId: baseImage,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      UserData: wrappedUserData(script, { nonce: 'img' }),
      BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { VolumeSize: 4 } }],
    }),
  );
  return out.Instances![0]!.InstanceId!;
}

const describeImage = async (imageId: string) =>
  (await t.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0]!;

describe('CreateImage', () => {
  it('makes a pending image that becomes available, with a snapshot per volume', async () => {
    const id = await builder();
    await t.clock.advance(2_000 + 60_000 + 1_000);
    const { ImageId } = await t.ec2.send(
      new CreateImageCommand({
        InstanceId: id,
        Name: 'web-20260101-000203',
        Description: 'baked',
        TagSpecifications: [
          { ResourceType: 'image', Tags: [{ Key: 'quadraxis:project', Value: 'web' }] },
          { ResourceType: 'snapshot', Tags: [{ Key: 'quadraxis:project', Value: 'web' }] },
        ],
      }),
    );
    expect(ImageId).toMatch(/^ami-[0-9a-f]{17}$/);
    const pending = await describeImage(ImageId!);
    expect(pending).toMatchObject({
      State: 'pending',
      Name: 'web-20260101-000203',
      OwnerId: '123456789012',
      Architecture: 'x86_64',
    });
    expect(pending.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'quadraxis:project', Value: 'web' },
        { Key: TAG_SIMULATED, Value: 'true' },
      ]),
    );
    expect(pending.BlockDeviceMappings?.map((m) => [m.DeviceName, m.Ebs?.VolumeSize])).toEqual([
      ['/dev/xvda', 8],
      ['/dev/sdf', 4],
    ]);
    const snapshots = await t.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    expect(snapshots.Snapshots?.map((s) => s.State)).toEqual(['pending', 'pending']);
    expect(snapshots.Snapshots![0]!.Description).toBe(`Created by CreateImage(${id}) for ${ImageId}`);
    await t.clock.advance(10_000);
    expect((await describeImage(ImageId!)).State).toBe('available');
    const done = await t.ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag:quadraxis:project', Values: ['web'] }],
      }),
    );
    expect(done.Snapshots?.map((s) => [s.State, s.Progress])).toEqual([
      ['completed', '100%'],
      ['completed', '100%'],
    ]);
    expect(t.sandbox.sim.images()[0]).toMatchObject({
      imageId: ImageId,
      scriptCompleteAtCapture: true,
      sourceInstanceId: id,
    });
  });

  it('records that the script had not finished, and the reboot cuts it short', async () => {
    const id = await builder();
    await t.clock.advance(2_000 + 10_000);
    const { ImageId } = await t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'too-early' }));
    expect(t.sandbox.sim.images()[0]).toMatchObject({ imageId: ImageId, scriptCompleteAtCapture: false });
    await t.clock.advance(120_000);
    const output = decodeConsole(
      (await t.ec2.send(new GetConsoleOutputCommand({ InstanceId: id, Latest: true }))).Output,
    );
    expect(output).toContain('reboot: Restarting system');
    expect(output).not.toContain('[quadraxis:img] done');
    const instance = (await t.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!
      .Instances![0]!;
    expect(instance.State?.Name).toBe('running');
  });

  it('leaves a running script alone with NoReboot', async () => {
    const id = await builder();
    await t.clock.advance(2_000 + 10_000);
    await t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'no-reboot', NoReboot: true }));
    await t.clock.advance(60_000);
    const output = decodeConsole(
      (await t.ec2.send(new GetConsoleOutputCommand({ InstanceId: id, Latest: true }))).Output,
    );
    expect(output).toContain('[quadraxis:img] done exit=0');
  });

  it('ends failed with a reason when the scenario says so', async () => {
    t.sandbox.sim.setScenario({ image: 'failed' });
    const id = await builder('echo quick\n');
    await t.clock.advance(10_000);
    const { ImageId } = await t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'doomed' }));
    await t.clock.advance(10_000);
    const image = await describeImage(ImageId!);
    expect(image.State).toBe('failed');
    expect(image.StateReason?.Code).toBe('Server.InternalError');
    const snapshots = await t.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    expect(snapshots.Snapshots?.every((s) => s.State === 'error')).toBe(true);
  });

  it.each([
    ['InvalidAMIName.Malformed', 'ab'],
    ['InvalidAMIName.Malformed', 'name with a colon: no'],
    ['InvalidAMIName.Malformed', 'x'.repeat(129)],
  ])('refuses %s for %j', async (code, name) => {
    const id = await builder('echo quick\n');
    await t.clock.advance(10_000);
    expect((await errorOf(t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: name })))).name).toBe(
      code,
    );
  });

  it('refuses duplicate names, missing instances, and terminated or pending builders', async () => {
    const id = await builder('echo quick\n');
    expect((await errorOf(t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'early' })))).name).toBe(
      'IncorrectInstanceState',
    );
    await t.clock.advance(10_000);
    await t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'taken' }));
    const duplicate = await errorOf(t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'taken' })));
    expect(duplicate.name).toBe('InvalidAMIName.Duplicate');
    expect(
      (await errorOf(t.ec2.send(new CreateImageCommand({ InstanceId: 'i-0123456789abcdef0', Name: 'x-1' }))))
        .name,
    ).toBe('InvalidInstanceID.NotFound');
    expect((await errorOf(t.ec2.send(new CreateImageCommand({ InstanceId: id } as never)))).name).toBe(
      'MissingParameter',
    );
    await t.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    const terminated = await errorOf(t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'late' })));
    expect(terminated.name).toBe('IncorrectInstanceState');
  });
});

describe('launching from a baked image', () => {
  it('refuses while pending, then launches from it with its volumes', async () => {
    const id = await builder('echo quick\n');
    await t.clock.advance(10_000);
    const { ImageId } = await t.ec2.send(
      new CreateImageCommand({
        InstanceId: id,
        Name: 'child-base',
        NoReboot: true,
        BlockDeviceMappings: [{ DeviceName: '/dev/sdf', NoDevice: '' }],
      }),
    );
    const launch = () =>
      t.ec2.send(new RunInstancesCommand({ ImageId, InstanceType: 't3.small', MinCount: 1, MaxCount: 1 }));
    expect((await errorOf(launch())).name).toBe('InvalidAMIID.Unavailable');
    expect((await describeImage(ImageId!)).BlockDeviceMappings?.map((m) => m.DeviceName)).toEqual([
      '/dev/xvda',
    ]);
    await t.clock.advance(10_000);
    const child = (await launch()).Instances![0]!;
    expect(child).toMatchObject({ ImageId, Architecture: 'x86_64', RootDeviceName: '/dev/xvda' });
    expect(child.BlockDeviceMappings).toHaveLength(1);
  });

  it('takes the image outcome from the scenario at CreateImage time', async () => {
    const id = await builder('echo quick\n');
    await t.clock.advance(10_000);
    t.sandbox.sim.setScenario({ image: 'failed' });
    const { ImageId } = await t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'late-scenario' }));
    await t.clock.advance(10_000);
    expect((await describeImage(ImageId!)).State).toBe('failed');
  });
});

describe('DescribeImages', () => {
  it('offers the catalogue by owner, with wildcard name filters for "latest matching"', async () => {
    const names = async (input: DescribeImagesCommandInput) =>
      (await t.ec2.send(new DescribeImagesCommand(input))).Images!.map((i) => i.Name).sort();
    expect(
      await names({
        Owners: ['amazon'],
        Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*-kernel-6.1-arm64'] }],
      }),
    ).toEqual([
      'al2023-ami-2023.5.20240916.0-kernel-6.1-arm64',
      'al2023-ami-2023.6.20241010.0-kernel-6.1-arm64',
      'al2023-ami-2023.6.20241031.0-kernel-6.1-arm64',
    ]);
    expect(
      await names({
        Owners: ['099720109477'],
        Filters: [
          { Name: 'name', Values: ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-2024100?'] },
        ],
      }),
    ).toEqual(['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241002']);
    const debian = await t.ec2.send(
      new DescribeImagesCommand({
        Owners: ['136693071363'],
        ExecutableUsers: ['all'],
        Filters: [
          { Name: 'architecture', Values: ['x86_64'] },
          { Name: 'state', Values: ['available'] },
          { Name: 'root-device-type', Values: ['ebs'] },
          { Name: 'virtualization-type', Values: ['hvm'] },
          { Name: 'owner-id', Values: ['136693071363'] },
        ],
      }),
    );
    expect(debian.Images?.map((i) => i.Name).sort()).toEqual([
      'debian-12-amd64-20240901-1857',
      'debian-12-amd64-20241004-1894',
      'debian-12-amd64-20241111-1928',
    ]);
    expect(debian.Images![0]).toMatchObject({
      RootDeviceName: '/dev/xvda',
      Public: true,
      OwnerId: '136693071363',
    });
    expect(await names({ Owners: ['self'] })).toEqual([]);
    expect((await errorOf(t.ec2.send(new DescribeImagesCommand({ Owners: ['someone'] })))).name).toBe(
      'InvalidUserID.Malformed',
    );
  });

  it('finds the account own images by self, account id, tag and image id; unknown ids are named', async () => {
    const id = await builder('echo quick\n');
    await t.clock.advance(10_000);
    const { ImageId } = await t.ec2.send(
      new CreateImageCommand({
        InstanceId: id,
        Name: 'mine',
        TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'team', Value: 'ops' }] }],
      }),
    );
    for (const input of [
      { Owners: ['self'] },
      { Owners: ['123456789012'] },
      { Filters: [{ Name: 'tag:team', Values: ['ops'] }] },
      { Filters: [{ Name: 'tag-key', Values: ['team'] }] },
      { Filters: [{ Name: 'image-id', Values: [ImageId!] }] },
    ]) {
      expect((await t.ec2.send(new DescribeImagesCommand(input))).Images?.map((i) => i.ImageId)).toEqual([
        ImageId,
      ]);
    }
    const missing = await errorOf(
      t.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })),
    );
    expect(missing).toMatchObject({
      name: 'InvalidAMIID.NotFound',
      message: "The image id '[ami-0123456789abcdef0]' does not exist",
    });
    expect((await errorOf(t.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-1'] })))).name).toBe(
      'InvalidAMIID.Malformed',
    );
  });
});

describe('cleaning up images, snapshots and volumes', () => {
  it('keeps a snapshot while an image uses it, and deletes it after deregistering', async () => {
    const id = await builder('echo quick\n');
    await t.clock.advance(10_000);
    const { ImageId } = await t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'temp' }));
    const snapshotIds = (await describeImage(ImageId!)).BlockDeviceMappings!.map((m) => m.Ebs!.SnapshotId!);
    const inUse = await errorOf(t.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotIds[0] })));
    expect(inUse).toMatchObject({
      name: 'InvalidSnapshot.InUse',
      message: `The snapshot ${snapshotIds[0]} is currently in use by ${ImageId}`,
    });
    await t.ec2.send(new DeregisterImageCommand({ ImageId }));
    expect((await errorOf(t.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })))).name).toBe(
      'InvalidAMIID.NotFound',
    );
    for (const snapshotId of snapshotIds)
      await t.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    expect((await t.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots).toEqual([]);
    expect((await errorOf(t.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotIds[0] })))).name).toBe(
      'InvalidSnapshot.NotFound',
    );
    expect((await errorOf(t.ec2.send(new DeleteSnapshotCommand({ SnapshotId: 'snap-x' })))).name).toBe(
      'InvalidSnapshotID.Malformed',
    );
    expect(
      (await errorOf(t.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotIds[0]!] })))).name,
    ).toBe('InvalidSnapshot.NotFound');
    expect((await errorOf(t.ec2.send(new DeregisterImageCommand({ ImageId: baseImage })))).name).toBe(
      'AuthFailure',
    );
  });

  it('deregisters with its snapshots in one call when asked', async () => {
    const id = await builder('echo quick\n');
    await t.clock.advance(10_000);
    const { ImageId } = await t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'temp' }));
    const out = await t.ec2.send(new DeregisterImageCommand({ ImageId, DeleteAssociatedSnapshots: true }));
    expect(out.Return).toBe(true);
    expect(out.DeleteSnapshotResults?.map((r) => r.ReturnCode)).toEqual(['success', 'success']);
    expect(t.sandbox.sim.snapshots()).toEqual([]);
  });

  it('describes volumes by id and state', async () => {
    const id = await builder();
    const [root] = t.sandbox.sim.instances()[0]!.volumeIds;
    const byId = await t.ec2.send(new DescribeVolumesCommand({ VolumeIds: [root!] }));
    expect(byId.Volumes![0]).toMatchObject({
      Size: 8,
      VolumeType: 'gp3',
      State: 'in-use',
      Attachments: [{ InstanceId: id, Device: '/dev/xvda', State: 'attached' }],
    });
    const inUse = await t.ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'status', Values: ['in-use'] }] }),
    );
    expect(inUse.Volumes).toHaveLength(2);
    expect(
      (await errorOf(t.ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-0123456789abcdef0'] })))).name,
    ).toBe('InvalidVolume.NotFound');
    expect((await errorOf(t.ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-1'] })))).name).toBe(
      'InvalidVolumeID.Malformed',
    );
  });
});
