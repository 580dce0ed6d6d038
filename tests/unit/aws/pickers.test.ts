import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeMatchingImages, resolveBaseImage } from '../../../src/main/services/aws/base-image';
import { createAwsClients, type AwsClients } from '../../../src/main/services/aws/clients';
import { createPickers } from '../../../src/main/services/aws/pickers';
import { resolveTarget } from '../../../src/main/services/aws/target';
import { VirtualClock } from '../../../src/main/services/clock';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox';
import type { BaseImage } from '../../../src/shared/project';
import { AppError } from '../../../src/shared/result';

let sandbox: SandboxHandle;
const opened: AwsClients[] = [];

async function connect(region = 'us-east-1'): Promise<AwsClients> {
  const target = await resolveTarget({
    profile: 'sandbox',
    region,
    env: {},
    sandbox: () => Promise.resolve(sandbox),
  });
  const clients = createAwsClients(target, { maxAttempts: 1 });
  opened.push(clients);
  return clients;
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'pickers', throttling: false });
});
afterEach(() => sandbox.sim.reset());
afterAll(async () => {
  for (const clients of opened) clients.destroy();
  await sandbox.close();
});

const calls = (action: string) => sandbox.sim.calls({ action }).length;

describe('pickers against the sandbox catalogue', () => {
  it('searches images by owner, pattern and architecture, newest first, reading every page', async () => {
    const clients = await connect();
    const pickers = createPickers({ clock: new VirtualClock(), pageSize: 5 });
    const arm = await pickers.searchImages(clients, {
      owners: ['amazon'],
      namePattern: 'al2023-ami-*',
      architecture: 'arm64',
    });
    expect(arm.items.map((i) => i.name)).toEqual([
      'al2023-ami-2023.6.20241031.0-kernel-6.1-arm64',
      'al2023-ami-2023.6.20241010.0-kernel-6.1-arm64',
      'al2023-ami-2023.5.20240916.0-kernel-6.1-arm64',
    ]);
    expect(arm.items[0]).toMatchObject({
      architecture: 'arm64',
      rootDeviceName: '/dev/xvda',
      rootDeviceType: 'ebs',
      creationDate: '2024-10-31T18:02:33.000Z',
      rootVolumeSizeGiB: 8,
    });

    const before = calls('DescribeImages');
    const everything = await pickers.searchImages(clients, {
      owners: ['amazon', '099720109477', '136693071363'],
      namePattern: '*',
    });
    // Amazon Linux, Ubuntu and Debian for two architectures, and Amazon's Windows Server 2022.
    expect(everything.items).toHaveLength(20);
    expect(calls('DescribeImages') - before).toBe(4);
    const dates = everything.items.map((i) => i.creationDate ?? '');
    expect(dates).toEqual([...dates].sort().reverse());

    const owners = ['amazon', '099720109477', '136693071363'];
    const cut = await describeMatchingImages(
      clients,
      { owners, namePattern: '*' },
      { limit: 5, pageSize: 5 },
    );
    expect(cut).toMatchObject({ truncated: true, items: expect.any(Array) });
    expect(cut.items).toHaveLength(5);
    const whole = await describeMatchingImages(
      clients,
      { owners, namePattern: '*' },
      { limit: 20, pageSize: 5 },
    );
    expect(whole.truncated).toBe(false);

    const canonical = await pickers.searchImages(clients, {
      owners: ['099720109477'],
      architecture: 'x86_64',
    });
    expect(canonical.items.map((i) => i.name)[0]).toBe(
      'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241109',
    );
    await expect(pickers.searchImages(clients, { owners: ['someone'] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('lists the public aliases with what they resolve to today', async () => {
    const clients = await connect('eu-west-1');
    const pickers = createPickers({ clock: new VirtualClock() });
    const aliases = await pickers.publicAliases(clients);
    expect(aliases.items.map((a) => [a.label, a.image?.name])).toEqual([
      ['Amazon Linux 2023 (latest, x86_64)', 'al2023-ami-2023.6.20241031.0-kernel-6.1-x86_64'],
      [
        'Ubuntu 24.04 LTS (latest, x86_64)',
        'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241109',
      ],
      ['Debian 12 (latest, x86_64)', 'debian-12-amd64-20241111-1928'],
      ['Amazon Linux 2023 (latest, arm64)', 'al2023-ami-2023.6.20241031.0-kernel-6.1-arm64'],
      [
        'Ubuntu 24.04 LTS (latest, arm64)',
        'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20241109',
      ],
      ['Debian 12 (latest, arm64)', 'debian-12-arm64-20241111-1928'],
    ]);
    const arm = await pickers.publicAliases(clients, 'arm64');
    expect(arm.items.every((a) => a.architecture === 'arm64' && a.image?.architecture === 'arm64')).toBe(
      true,
    );
  });

  it('previews "latest matching" with the same resolution the engine uses', async () => {
    const clients = await connect();
    const pickers = createPickers({ clock: new VirtualClock() });
    const latest: BaseImage = {
      kind: 'latest',
      owners: ['136693071363'],
      namePattern: 'debian-12-*',
      architecture: 'arm64',
    };
    const preview = await pickers.previewBaseImage(clients, latest);
    expect(preview).toMatchObject({ name: 'debian-12-arm64-20241111-1928', source: latest });
    expect(await resolveBaseImage(clients, { kind: 'id', imageId: preview.imageId })).toMatchObject({
      imageId: preview.imageId,
      name: preview.name,
    });
    const ssm = await resolveBaseImage(clients, {
      kind: 'ssm',
      parameter: '/aws/service/debian/release/12/latest/arm64',
    });
    expect(ssm).toMatchObject({ imageId: preview.imageId, parameterValue: preview.imageId });

    const none = { ...latest, namePattern: 'windows-*' };
    await expect(pickers.previewBaseImage(clients, none)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'No available arm64 image owned by 136693071363 matches "windows-*" in us-east-1.',
    });
    await expect(
      resolveBaseImage(clients, { kind: 'id', imageId: 'ami-0123456789abcdef0' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('lists instance types for an architecture, VPCs, subnets, security groups and key pairs', async () => {
    const clients = await connect();
    const pickers = createPickers({ clock: new VirtualClock(), pageSize: 5 });
    const arm = await pickers.instanceTypes(clients, 'arm64');
    expect(arm.items.map((t) => [t.instanceType, t.vcpus, t.memoryMiB])).toEqual([
      ['t4g.micro', 2, 1024],
      ['t4g.small', 2, 2048],
      ['t4g.medium', 2, 4096],
      ['m7g.large', 2, 8192],
    ]);
    expect(arm.items.every((t) => t.architectures.includes('arm64'))).toBe(true);
    const before = calls('DescribeInstanceTypes');
    const all = (await pickers.instanceTypes(clients)).items;
    expect(all).toHaveLength(12);
    // DescribeInstanceTypes' Hypervisor reaches the picker, for the editor's Xen warning.
    expect(all.filter((t) => t.hypervisor === 'xen').map((t) => t.instanceType)).toEqual([
      't2.micro',
      'm4.large',
    ]);
    expect(calls('DescribeInstanceTypes') - before).toBe(3);

    const vpcs = await pickers.vpcs(clients);
    expect(vpcs.items).toEqual([expect.objectContaining({ isDefault: true, cidrBlock: '172.31.0.0/16' })]);
    const vpcId = vpcs.items[0]!.vpcId;
    const subnets = await pickers.subnets(clients, vpcId);
    expect(subnets.items.map((s) => s.availabilityZone)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(subnets.items.every((s) => s.vpcId === vpcId && s.defaultForAz)).toBe(true);
    const groups = await pickers.securityGroups(clients, vpcId);
    expect(groups.items).toEqual([expect.objectContaining({ groupName: 'default', vpcId })]);
    expect((await pickers.keyPairs(clients)).items).toEqual([
      expect.objectContaining({ keyName: 'sandbox-key' }),
    ]);
  });

  it('caches per profile and region for the TTL, refreshes on request, and never caches a failure', async () => {
    const clock = new VirtualClock();
    const pickers = createPickers({ clock, ttlMs: 60_000 });
    const east = await connect('us-east-1');
    const west = await connect('us-west-2');

    const [first, concurrent] = await Promise.all([pickers.subnets(east), pickers.subnets(east)]);
    expect(concurrent).toBe(first);
    expect(calls('DescribeSubnets')).toBe(1);
    await clock.advance(59_000);
    expect(await pickers.subnets(east)).toBe(first);
    expect((await pickers.subnets(west)).items[0]?.availabilityZone).toBe('us-west-2a');
    expect(calls('DescribeSubnets')).toBe(2);

    await clock.advance(1_000);
    const expired = await pickers.subnets(east);
    expect(expired).not.toBe(first);
    expect(expired.fetchedAt).toBe(clock.now());
    await pickers.subnets(east, undefined, { refresh: true });
    expect(calls('DescribeSubnets')).toBe(4);
    pickers.invalidate(east.target);
    await pickers.subnets(east);
    await pickers.subnets(west);
    expect(calls('DescribeSubnets')).toBe(5);

    sandbox.sim.injectFault({ action: 'DescribeKeyPairs', fault: 'InternalError' });
    const error = await pickers.keyPairs(east).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).toPayload()).toMatchObject({
      code: 'AWS_ERROR',
      message: 'ec2:DescribeKeyPairs failed: InternalError: An internal error has occurred',
    });
    expect((await pickers.keyPairs(east)).items).toHaveLength(1);
  });
});
