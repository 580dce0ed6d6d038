import {
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  GetConsoleOutputCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe as suite, expect, it } from 'vitest';
import { sandboxClientConfig } from '../../../../src/sandbox';
import { describe, fakeVmWorld, launch, until, type FakeVmWorld } from './fixture';

const exec = promisify(execFile);

/**
 * The VM mode's state machine, disks and metadata, with a stand-in for QEMU (tests/unit/sandbox/vm/
 * fake-qemu.cjs) that connects to QMP and reads its user data through the real relay and metadata server.
 * The real VMs are in tests/vm.
 */
let world: FakeVmWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function consoleOf(w: FakeVmWorld, id: string, latest = true): Promise<string> {
  const out = await w.ec2.send(new GetConsoleOutputCommand({ InstanceId: id, Latest: latest }));
  return Buffer.from(out.Output ?? '', 'base64').toString('utf8');
}

const vmOf = (w: FakeVmWorld, id: string) => w.sandbox.sim.vm()!.instances.find((i) => i.instanceId === id);
const diskOf = (w: FakeVmWorld, id: string) => w.sandbox.sim.vm()!.files.find((f) => f.includes(id));

suite('a VM instance', () => {
  it('is pending until QEMU is up, then stopped with InstanceInitiatedShutdown when the guest powers off', async () => {
    world = await fakeVmWorld();
    const id = await launch(world, { poweroffAfterMs: 300 });
    expect((await describe(world, id)).State?.Name).toBe('pending');
    await until(world, id, 'running');
    const stopped = await until(world, id, 'stopped');
    expect(stopped.StateReason?.Code).toBe('Client.InstanceInitiatedShutdown');
    expect(stopped.StateTransitionReason).toBe(
      'Client.InstanceInitiatedShutdown: Instance initiated shutdown',
    );
    expect(await consoleOf(world, id)).toContain('reboot: Power down');
    // The buffered (non-Latest) output reaches the last state change: everything, once stopped.
    expect(await consoleOf(world, id, false)).toContain('reboot: Power down');
    // The guest got its user data the IMDSv2 way: a session token, then GETs carrying it.
    const requests = world.sandbox.sim.metadataRequests(id);
    expect(requests[0]).toMatchObject({ method: 'PUT', path: '/latest/api/token', status: 200 });
    expect(requests).toContainEqual({ method: 'GET', path: '/latest/user-data', status: 200, token: true });
  });

  it('stops through the ACPI button on StopInstances, starts the same disk again, and terminates without a trace', async () => {
    world = await fakeVmWorld();
    const id = await launch(world, {});
    await until(world, id, 'running');
    const disk = diskOf(world, id);
    expect(disk).toBeDefined();
    const pid = vmOf(world, id)!.pid!;
    const out = await world.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(out.StoppingInstances![0]!.CurrentState?.Name).toBe('stopping');
    const stopped = await until(world, id, 'stopped');
    expect(stopped.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(stopped.StateTransitionReason).toMatch(/^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/);
    expect(await consoleOf(world, id)).toContain('reboot: Power down');
    expect(vmOf(world, id)!.pid).toBeUndefined();

    await world.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect((await describe(world, id)).State?.Name).toBe('pending');
    await until(world, id, 'running');
    expect(diskOf(world, id)).toBe(disk);
    expect(vmOf(world, id)!.pid).not.toBe(pid);
    // One instance, one console: both boots are on it.
    expect((await consoleOf(world, id)).match(/fake boot/g)).toHaveLength(2);

    await world.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    const gone = await until(world, id, 'terminated');
    expect(gone.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(existsSync(disk!)).toBe(false);
    expect(world.sandbox.sim.vm()!.files).toEqual([]);
    expect(world.sandbox.sim.vm()!.instances).toEqual([]);
    // Still readable after termination, as on EC2.
    expect((await consoleOf(world, id)).match(/fake boot/g)).toHaveLength(2);
  });

  it('is stopped hard when the guest ignores the power button', async () => {
    world = await fakeVmWorld({ stopTimeoutMs: 1_000 });
    const id = await launch(world, { ignorePowerdown: true });
    await until(world, id, 'running');
    await world.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    const stopped = await until(world, id, 'stopped');
    expect(stopped.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(await consoleOf(world, id)).not.toContain('reboot: Power down');
  });

  it('waits in pending while the VM cap is reached, and boots when a slot frees', async () => {
    world = await fakeVmWorld({ maxVms: 1 });
    const first = await launch(world, {});
    await until(world, first, 'running');
    const second = await launch(world, {});
    await new Promise((r) => setTimeout(r, 500));
    expect((await describe(world, second)).State?.Name).toBe('pending');
    expect(vmOf(world, second)!.pid).toBeUndefined();
    await world.ec2.send(new TerminateInstancesCommand({ InstanceIds: [first] }));
    await until(world, second, 'running');
  });

  it('terminated while waiting for a slot never boots', async () => {
    world = await fakeVmWorld({ maxVms: 1 });
    const first = await launch(world, {});
    await until(world, first, 'running');
    const second = await launch(world, {});
    await world.ec2.send(new TerminateInstancesCommand({ InstanceIds: [second] }));
    await until(world, second, 'terminated');
    expect(world.sandbox.sim.metadataRequests(second)).toEqual([]);
    expect(diskOf(world, second)).toBeUndefined();
  });

  it('whose QEMU cannot start ends terminated with Server.InternalError', async () => {
    world = await fakeVmWorld();
    const id = await launch(world, { failStart: true });
    const gone = await until(world, id, 'terminated');
    expect(gone.StateReason?.Code).toBe('Server.InternalError');
    expect(world.sandbox.sim.vm()!.files).toEqual([]);
  });

  it('with InstanceInitiatedShutdownBehavior=terminate is terminated when the guest powers off', async () => {
    world = await fakeVmWorld();
    const id = await launch(world, { poweroffAfterMs: 200 }, { shutdownBehavior: 'terminate' });
    const gone = await until(world, id, 'terminated');
    expect(gone.StateReason?.Code).toBe('Client.InstanceInitiatedShutdown');
    expect(world.sandbox.sim.vm()!.files).toEqual([]);
  });
});

suite('VM images', () => {
  it('the image is an AMI of the Sandbox account with a root snapshot', async () => {
    world = await fakeVmWorld();
    const images = await world.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    const image = images.Images!.find((i) => i.ImageId === world!.imageId)!;
    expect(image).toMatchObject({
      Name: 'debian-12-local-0123456789ab',
      Architecture: 'x86_64',
      OwnerId: world.sandbox.sim.accountId,
      State: 'available',
      RootDeviceName: '/dev/xvda',
    });
    const snapshotId = image.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    const snapshots = await world.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
    expect(snapshots.Snapshots![0]).toMatchObject({ State: 'completed', VolumeSize: 1 });
  });

  it('CreateImage copies a stopped VM disk; the copy backs new instances and goes only when nothing uses it', async () => {
    world = await fakeVmWorld();
    const builder = await launch(world, {});
    await until(world, builder, 'running');
    await expect(
      world.ec2.send(new CreateImageCommand({ InstanceId: builder, Name: 'baked-running' })),
    ).rejects.toThrow(/stop it before creating an image/);
    await world.ec2.send(new StopInstancesCommand({ InstanceIds: [builder] }));
    await until(world, builder, 'stopped');
    const { ImageId } = await world.ec2.send(new CreateImageCommand({ InstanceId: builder, Name: 'baked' }));
    let image = (await world.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images![0]!;
    for (let i = 0; image.State !== 'available' && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 25));
      image = (await world.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images![0]!;
    }
    expect(image.State).toBe('available');
    const snapshotId = image.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    const snapshotFile = world.sandbox.sim.vm()!.files.find((f) => f.includes(snapshotId))!;
    expect(snapshotFile).toBeDefined();
    await world.ec2.send(new TerminateInstancesCommand({ InstanceIds: [builder] }));
    await until(world, builder, 'terminated');
    expect(existsSync(snapshotFile)).toBe(true);

    const child = await launch(world, {}, { imageId: ImageId! });
    await until(world, child, 'running');
    const { stdout } = await exec('qemu-img', [
      'info',
      '--backing-chain',
      '--output=json',
      diskOf(world, child)!,
    ]);
    const chain = (JSON.parse(stdout) as { filename: string }[]).map((l) => l.filename);
    expect(chain[1]).toBe(snapshotFile);

    // Deregistered and deleted while an instance still runs on it: the file stays until that instance goes.
    await world.ec2.send(new DeregisterImageCommand({ ImageId: ImageId! }));
    await world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    expect(existsSync(snapshotFile)).toBe(true);
    await world.ec2.send(new TerminateInstancesCommand({ InstanceIds: [child] }));
    await until(world, child, 'terminated');
    expect(world.sandbox.sim.vm()!.files).toEqual([]);
    for (let i = 0; existsSync(snapshotFile) && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(snapshotFile)).toBe(false);
  });
});

suite('the VM mode', () => {
  it('stops every VM and removes its work directory when the Sandbox closes', async () => {
    world = await fakeVmWorld();
    const id = await launch(world, {});
    await until(world, id, 'running');
    const { workDir, instances } = world.sandbox.sim.vm()!;
    const pid = instances[0]!.pid!;
    await world.sandbox.close();
    expect(existsSync(workDir)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('a reset terminates the VMs it forgets', async () => {
    world = await fakeVmWorld();
    const id = await launch(world, {});
    await until(world, id, 'running');
    const pid = vmOf(world, id)!.pid!;
    world.sandbox.sim.reset();
    for (let i = 0; world.sandbox.sim.vm()!.instances.length > 0 && i < 200; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(world.sandbox.sim.vm()!.instances).toEqual([]);
    expect(world.sandbox.sim.vm()!.files).toEqual([]);
    expect(() => process.kill(pid, 0)).toThrow();
  });
});

suite('the VM image in a region first used by a search for it', () => {
  it('is already available (the first request of a region is timed before the region exists)', async () => {
    world = await fakeVmWorld();
    const ec2 = new EC2Client({
      ...sandboxClientConfig(world.sandbox, { region: 'ap-south-1' }),
      maxAttempts: 1,
    });
    const out = await ec2.send(
      new DescribeImagesCommand({
        Owners: ['self'],
        Filters: [
          { Name: 'state', Values: ['available'] },
          { Name: 'name', Values: ['debian-12-local-*'] },
        ],
      }),
    );
    ec2.destroy();
    expect(out.Images?.map((i) => i.Name)).toEqual(['debian-12-local-0123456789ab']);
  });
});
