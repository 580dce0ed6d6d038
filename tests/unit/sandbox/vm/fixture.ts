import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  sandboxClientConfig,
  startSandbox,
  type SandboxHandle,
  type VmOptions,
} from '../../../../src/sandbox';

const exec = promisify(execFile);
export const FAKE_QEMU = resolve(__dirname, 'fake-qemu.cjs');

/** An image directory as `npm run vm:image` lays it out, with a tiny real qcow2 disk and stand-in kernel files. */
export async function fakeImageDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'qx-fake-image-'));
  await exec('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'disk.qcow2'), '1G']);
  await writeFile(join(dir, 'vmlinuz'), 'not a kernel');
  await writeFile(join(dir, 'initrd.img'), 'not an initrd');
  await writeFile(
    join(dir, 'image.json'),
    JSON.stringify({
      format: 1,
      name: 'debian-12-local-0123456789ab',
      description: 'unit-test image',
      architecture: 'x86_64',
      disk: 'disk.qcow2',
      kernel: 'vmlinuz',
      initrd: 'initrd.img',
      cmdline: 'root=/dev/vda rw console=ttyS0',
      volumeSizeGiB: 1,
    }),
  );
  return dir;
}

export interface FakeVmWorld {
  sandbox: SandboxHandle;
  ec2: EC2Client;
  imageId: string;
  close(): Promise<void>;
}

/** A Sandbox in VM mode whose "QEMU" is the stand-in: the state machine, disks and metadata are the real ones. */
export async function fakeVmWorld(vm: Partial<VmOptions> = {}): Promise<FakeVmWorld> {
  const image = await fakeImageDir();
  const sandbox = await startSandbox({
    seed: 'vm-unit',
    vm: { image, qemu: FAKE_QEMU, accel: 'tcg', stopTimeoutMs: 1_000, ...vm },
  });
  const ec2 = new EC2Client({ ...sandboxClientConfig(sandbox, { region: 'eu-west-1' }), maxAttempts: 1 });
  const imageId = sandbox.sim
    .images({ region: 'eu-west-1' })
    .find((i) => i.name.startsWith('debian-12-local-'))!.imageId;
  return {
    sandbox,
    ec2,
    imageId,
    close: async () => {
      ec2.destroy();
      await sandbox.close();
      await rm(image, { recursive: true, force: true });
    },
  };
}

/** Launches one instance whose stand-in guest follows `plan` (see fake-qemu.cjs). */
export async function launch(
  world: FakeVmWorld,
  plan: Record<string, unknown>,
  more: { imageId?: string; shutdownBehavior?: 'stop' | 'terminate' } = {},
): Promise<string> {
  const out = await world.ec2.send(
    new RunInstancesCommand({
      ImageId: more.imageId ?? world.imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      UserData: Buffer.from(JSON.stringify(plan)).toString('base64'),
      ...(more.shutdownBehavior ? { InstanceInitiatedShutdownBehavior: more.shutdownBehavior } : {}),
    }),
  );
  return out.Instances![0]!.InstanceId!;
}

export async function describe(world: FakeVmWorld, instanceId: string): Promise<Instance> {
  const out = await world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return out.Reservations![0]!.Instances![0]!;
}

/** States as a client sees them, polled until `state` (the stand-in's steps take milliseconds). */
export async function until(world: FakeVmWorld, instanceId: string, state: string): Promise<Instance> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const instance = await describe(world, instanceId);
    if (instance.State?.Name === state) return instance;
    if (Date.now() > deadline) throw new Error(`${instanceId} is ${instance.State?.Name}, not ${state}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
