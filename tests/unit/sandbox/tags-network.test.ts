import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG_SIMULATED } from '../../../src/protocol/builder-tags';
import { errorOf, openSandbox, type TestSandbox } from './helpers';

let t: TestSandbox;
beforeEach(async () => {
  t = await openSandbox();
});
afterEach(() => t.close());

describe('CreateTags and DeleteTags', () => {
  it('tag and untag instances, by key or by key and value, keeping the simulated marker', async () => {
    const image = (await t.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images!.find(
      (i) => i.Architecture === 'x86_64',
    )!;
    const id = (
      await t.ec2.send(
        new RunInstancesCommand({
          ImageId: image.ImageId,
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
        }),
      )
    ).Instances![0]!.InstanceId!;
    const tags = async (): Promise<Record<string, string | undefined>> => {
      const out = await t.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      return Object.fromEntries(
        out.Reservations![0]!.Instances![0]!.Tags!.map((tag) => [tag.Key!, tag.Value]),
      );
    };
    await t.ec2.send(
      new CreateTagsCommand({
        Resources: [id],
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
          { Key: 'c', Value: '3' },
        ],
      }),
    );
    expect(await tags()).toEqual({ [TAG_SIMULATED]: 'true', a: '1', b: '2', c: '3' });
    await t.ec2.send(
      new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: 'a' }, { Key: 'b', Value: 'other' }] }),
    );
    expect(await tags()).toEqual({ [TAG_SIMULATED]: 'true', b: '2', c: '3' });
    await t.ec2.send(new DeleteTagsCommand({ Resources: [id] }));
    expect(await tags()).toEqual({ [TAG_SIMULATED]: 'true' });
    const reserved = await errorOf(
      t.ec2.send(
        new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'aws:cloudformation', Value: 'x' }] }),
      ),
    );
    expect(reserved.name).toBe('InvalidParameterValue');
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect((await errorOf(t.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: many })))).name).toBe(
      'TagLimitExceeded',
    );
  });

  it('tags the default network and names unknown resources', async () => {
    const vpcId = (await t.ec2.send(new DescribeVpcsCommand({}))).Vpcs![0]!.VpcId!;
    await t.ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'Name', Value: 'main' }] }));
    const tagged = await t.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['main'] }] }),
    );
    expect(tagged.Vpcs?.map((v) => v.VpcId)).toEqual([vpcId]);
    const unknown = await errorOf(
      t.ec2.send(
        new CreateTagsCommand({ Resources: ['i-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] }),
      ),
    );
    expect(unknown.name).toBe('InvalidInstanceID.NotFound');
    const other = await errorOf(
      t.ec2.send(new CreateTagsCommand({ Resources: ['eni-12345678'], Tags: [{ Key: 'a', Value: 'b' }] })),
    );
    expect(other.name).toBe('InvalidID');
    expect((await errorOf(t.ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [] })))).name).toBe(
      'MissingParameter',
    );
  });
});

describe('the default network and the catalogue', () => {
  it('lists regions and the caller region zones', async () => {
    const regions = await t.ec2.send(new DescribeRegionsCommand({}));
    expect(regions.Regions?.map((r) => r.RegionName)).toEqual(
      expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2']),
    );
    const one = await t.ec2.send(
      new DescribeRegionsCommand({ RegionNames: ['eu-west-1'], AllRegions: true }),
    );
    expect(one.Regions).toEqual([
      {
        RegionName: 'eu-west-1',
        Endpoint: 'ec2.eu-west-1.amazonaws.com',
        OptInStatus: 'opt-in-not-required',
      },
    ]);
    expect(
      (await errorOf(t.ec2.send(new DescribeRegionsCommand({ RegionNames: ['xx-nowhere-1'] })))).name,
    ).toBe('InvalidParameterValue');
    const zones = await t.ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(zones.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId, z.State])).toEqual([
      ['eu-west-1a', 'euw1-az1', 'available'],
      ['eu-west-1b', 'euw1-az2', 'available'],
      ['eu-west-1c', 'euw1-az3', 'available'],
    ]);
  });

  it('has a default VPC with a subnet per zone, a default group and a key pair', async () => {
    const vpc = (
      await t.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))
    ).Vpcs![0]!;
    expect(vpc).toMatchObject({ CidrBlock: '172.31.0.0/16', IsDefault: true, State: 'available' });
    const subnets = (
      await t.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }))
    ).Subnets!;
    expect(subnets.map((s) => [s.AvailabilityZone, s.CidrBlock, s.DefaultForAz])).toEqual([
      ['eu-west-1a', '172.31.0.0/20', true],
      ['eu-west-1b', '172.31.16.0/20', true],
      ['eu-west-1c', '172.31.32.0/20', true],
    ]);
    expect(
      (await t.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-other'] }] })))
        .Subnets,
    ).toEqual([]);
    expect(
      (await t.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnets[1]!.SubnetId!] }))).Subnets,
    ).toHaveLength(1);
    expect(
      (await errorOf(t.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0123456789abcdef0'] }))))
        .name,
    ).toBe('InvalidSubnetID.NotFound');
    const groups = (
      await t.ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }),
      )
    ).SecurityGroups!;
    expect(groups.map((g) => [g.GroupName, g.VpcId])).toEqual([['default', vpc.VpcId]]);
    const byId = await t.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: [groups[0]!.GroupId!] }] }),
    );
    expect(byId.SecurityGroups?.[0]?.IpPermissionsEgress?.[0]?.IpRanges).toEqual([{ CidrIp: '0.0.0.0/0' }]);
    expect(
      (await errorOf(t.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0123456789abcdef0'] }))))
        .name,
    ).toBe('InvalidGroup.NotFound');
    expect(
      (await errorOf(t.ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0123456789abcdef0'] })))).name,
    ).toBe('InvalidVpcID.NotFound');
    const keys = await t.ec2.send(new DescribeKeyPairsCommand({}));
    expect(keys.KeyPairs?.map((k) => [k.KeyName, k.KeyType])).toEqual([['sandbox-key', 'ed25519']]);
    expect((await errorOf(t.ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['mine'] })))).name).toBe(
      'InvalidKeyPair.NotFound',
    );
  });

  it('describes instance types with vCPUs, memory and architecture, filtered and paged', async () => {
    const arm = await t.ec2.send(
      new DescribeInstanceTypesCommand({
        Filters: [{ Name: 'processor-info.supported-architecture', Values: ['arm64'] }],
      }),
    );
    expect(arm.InstanceTypes?.map((i) => i.InstanceType).sort()).toEqual([
      'm7g.large',
      't4g.medium',
      't4g.micro',
      't4g.small',
    ]);
    const c7i = (await t.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['c7i.xlarge'] })))
      .InstanceTypes![0]!;
    expect(c7i).toMatchObject({
      VCpuInfo: { DefaultVCpus: 4 },
      MemoryInfo: { SizeInMiB: 8192 },
      ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
    });
    const page1 = await t.ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 5 }));
    const page2 = await t.ec2.send(
      new DescribeInstanceTypesCommand({ MaxResults: 5, NextToken: page1.NextToken }),
    );
    const page3 = await t.ec2.send(
      new DescribeInstanceTypesCommand({ MaxResults: 5, NextToken: page2.NextToken }),
    );
    const paged = [...page1.InstanceTypes!, ...page2.InstanceTypes!, ...page3.InstanceTypes!];
    expect(new Set(paged.map((i) => i.InstanceType)).size).toBe(12);
    expect(page3.NextToken).toBeUndefined();
    expect(paged.find((i) => i.InstanceType === 't2.micro')?.Hypervisor).toBe('xen');
    expect(
      (
        await errorOf(
          t.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['z9.mega' as 't3.micro'] })),
        )
      ).name,
    ).toBe('InvalidInstanceType');
  });
});
