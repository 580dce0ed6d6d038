import { z } from 'zod';
import { REGIONS, zonesOf, type SubnetInfo, type Zone } from '../catalogue/network';
import { SandboxError } from '../wire/errors';
import { parseParams, qBool } from '../wire/query';
import type { Ec2Context, Ec2Handler } from './context';
import { applyFilters } from './filters';
import { FilterListSchema, IdListSchema } from './params';
import type { Tags } from './records';
import { tagSet } from './tags';

const noTags = (): Tags => new Map();

function requireKnown(ids: string[] | undefined, known: string[], code: string, noun: string): void {
  const missing = (ids ?? []).filter((id) => !known.includes(id));
  if (missing.length > 0) throw new SandboxError(code, `The ${noun} '${missing.join(', ')}' does not exist`);
}

const RegionsSchema = z.object({
  RegionName: IdListSchema,
  AllRegions: qBool.optional(),
  Filter: FilterListSchema,
});

export const describeRegions: Ec2Handler = (_ctx, tree) => {
  const p = parseParams(RegionsSchema, tree);
  for (const name of p.RegionName ?? []) {
    if (!REGIONS.includes(name)) throw new SandboxError('InvalidParameterValue', `Invalid region: ${name}`);
  }
  const named = p.RegionName?.length ? REGIONS.filter((r) => p.RegionName!.includes(r)) : [...REGIONS];
  const regions = applyFilters(
    named,
    p.Filter,
    {
      'region-name': (r) => r,
      endpoint: (r) => `ec2.${r}.amazonaws.com`,
      'opt-in-status': () => 'opt-in-not-required',
    },
    noTags,
  );
  return {
    regionInfo: regions.map((r) => ({
      regionName: r,
      regionEndpoint: `ec2.${r}.amazonaws.com`,
      optInStatus: 'opt-in-not-required',
    })),
  };
};

const ZonesSchema = z.object({
  ZoneName: IdListSchema,
  ZoneId: IdListSchema,
  AllAvailabilityZones: qBool.optional(),
  Filter: FilterListSchema,
});

export const describeAvailabilityZones: Ec2Handler = (ctx, tree) => {
  const p = parseParams(ZonesSchema, tree);
  const all = zonesOf(ctx.region.region);
  requireKnown(
    p.ZoneName,
    all.map((z) => z.name),
    'InvalidParameterValue',
    'availability zone',
  );
  requireKnown(
    p.ZoneId,
    all.map((z) => z.id),
    'InvalidParameterValue',
    'availability zone id',
  );
  const named = all.filter(
    (z) =>
      (!p.ZoneName?.length || p.ZoneName.includes(z.name)) && (!p.ZoneId?.length || p.ZoneId.includes(z.id)),
  );
  const zones = applyFilters<Zone>(
    named,
    p.Filter,
    {
      'zone-name': (z) => z.name,
      'zone-id': (z) => z.id,
      state: () => 'available',
      'region-name': () => ctx.region.region,
      'zone-type': () => 'availability-zone',
      'opt-in-status': () => 'opt-in-not-required',
    },
    noTags,
  );
  return {
    availabilityZoneInfo: zones.map((z) => ({
      zoneName: z.name,
      zoneId: z.id,
      zoneState: 'available',
      regionName: ctx.region.region,
      groupName: ctx.region.region,
      networkBorderGroup: ctx.region.region,
      optInStatus: 'opt-in-not-required',
      zoneType: 'availability-zone',
      messageSet: [],
    })),
  };
};

const networkTags = (ctx: Ec2Context, id: string): Tags =>
  ctx.region.networkTags.get(id) ?? new Map<string, string>();

const VpcsSchema = z.object({ VpcId: IdListSchema, Filter: FilterListSchema });

export const describeVpcs: Ec2Handler = (ctx, tree) => {
  const p = parseParams(VpcsSchema, tree);
  const net = ctx.region.network;
  requireKnown(p.VpcId, [net.vpcId], 'InvalidVpcID.NotFound', 'vpc ID');
  const vpcs = applyFilters(
    [net.vpcId],
    p.Filter,
    {
      'vpc-id': (id) => id,
      'is-default': () => true,
      state: () => 'available',
      'cidr-block': () => net.cidr,
      'owner-id': () => ctx.accountId,
    },
    (id) => networkTags(ctx, id),
  );
  return {
    vpcSet: vpcs.map((vpcId) => ({
      vpcId,
      ownerId: ctx.accountId,
      state: 'available',
      cidrBlock: net.cidr,
      cidrBlockAssociationSet: [
        {
          associationId: `${vpcId.replace('vpc-', 'vpc-cidr-assoc-')}`,
          cidrBlock: net.cidr,
          cidrBlockState: { state: 'associated' },
        },
      ],
      dhcpOptionsId: net.dhcpOptionsId,
      instanceTenancy: 'default',
      isDefault: true,
      tagSet: tagSet(networkTags(ctx, vpcId)),
    })),
  };
};

const SubnetsSchema = z.object({ SubnetId: IdListSchema, Filter: FilterListSchema });

export const describeSubnets: Ec2Handler = (ctx, tree) => {
  const p = parseParams(SubnetsSchema, tree);
  const net = ctx.region.network;
  requireKnown(
    p.SubnetId,
    net.subnets.map((s) => s.subnetId),
    'InvalidSubnetID.NotFound',
    'subnet ID',
  );
  const named = net.subnets.filter((s) => !p.SubnetId?.length || p.SubnetId.includes(s.subnetId));
  const subnets = applyFilters<SubnetInfo>(
    named,
    p.Filter,
    {
      'subnet-id': (s) => s.subnetId,
      'vpc-id': () => net.vpcId,
      'availability-zone': (s) => s.zone.name,
      'availability-zone-id': (s) => s.zone.id,
      'default-for-az': () => true,
      'cidr-block': (s) => s.cidr,
      state: () => 'available',
    },
    (s) => networkTags(ctx, s.subnetId),
  );
  return {
    subnetSet: subnets.map((s) => ({
      subnetId: s.subnetId,
      subnetArn: `arn:aws:ec2:${ctx.region.region}:${ctx.accountId}:subnet/${s.subnetId}`,
      state: 'available',
      vpcId: net.vpcId,
      ownerId: ctx.accountId,
      cidrBlock: s.cidr,
      availableIpAddressCount: 4091,
      availabilityZone: s.zone.name,
      availabilityZoneId: s.zone.id,
      defaultForAz: true,
      mapPublicIpOnLaunch: true,
      tagSet: tagSet(networkTags(ctx, s.subnetId)),
    })),
  };
};

const GroupsSchema = z.object({ GroupId: IdListSchema, GroupName: IdListSchema, Filter: FilterListSchema });

export const describeSecurityGroups: Ec2Handler = (ctx, tree) => {
  const p = parseParams(GroupsSchema, tree);
  const net = ctx.region.network;
  const sg = net.securityGroup;
  requireKnown(p.GroupId, [sg.groupId], 'InvalidGroup.NotFound', 'security group');
  requireKnown(p.GroupName, [sg.groupName], 'InvalidGroup.NotFound', 'security group');
  const groups = applyFilters(
    [sg],
    p.Filter,
    {
      'group-id': (g) => g.groupId,
      'group-name': (g) => g.groupName,
      'vpc-id': () => net.vpcId,
      description: (g) => g.description,
      'owner-id': () => ctx.accountId,
    },
    (g) => networkTags(ctx, g.groupId),
  );
  return {
    securityGroupInfo: groups.map((g) => ({
      ownerId: ctx.accountId,
      groupId: g.groupId,
      groupName: g.groupName,
      groupDescription: g.description,
      vpcId: net.vpcId,
      securityGroupArn: `arn:aws:ec2:${ctx.region.region}:${ctx.accountId}:security-group/${g.groupId}`,
      ipPermissions: [
        {
          ipProtocol: '-1',
          groups: [{ userId: ctx.accountId, groupId: g.groupId }],
          ipRanges: [],
          ipv6Ranges: [],
          prefixListIds: [],
        },
      ],
      ipPermissionsEgress: [
        {
          ipProtocol: '-1',
          groups: [],
          ipRanges: [{ cidrIp: '0.0.0.0/0' }],
          ipv6Ranges: [],
          prefixListIds: [],
        },
      ],
      tagSet: tagSet(networkTags(ctx, g.groupId)),
    })),
  };
};

const KeyPairsSchema = z.object({ KeyName: IdListSchema, KeyPairId: IdListSchema, Filter: FilterListSchema });

export const describeKeyPairs: Ec2Handler = (ctx, tree) => {
  const p = parseParams(KeyPairsSchema, tree);
  const key = ctx.region.network.keyPair;
  requireKnown(p.KeyName, [key.keyName], 'InvalidKeyPair.NotFound', 'key pair');
  requireKnown(p.KeyPairId, [key.keyPairId], 'InvalidKeyPair.NotFound', 'key pair');
  const keys = applyFilters(
    [key],
    p.Filter,
    {
      'key-name': (k) => k.keyName,
      'key-pair-id': (k) => k.keyPairId,
      fingerprint: (k) => k.fingerprint,
      'key-type': () => 'ed25519',
    },
    (k) => networkTags(ctx, k.keyPairId),
  );
  return {
    keySet: keys.map((k) => ({
      keyPairId: k.keyPairId,
      keyName: k.keyName,
      keyFingerprint: k.fingerprint,
      keyType: 'ed25519',
      createTime: k.createTime,
      tagSet: tagSet(networkTags(ctx, k.keyPairId)),
    })),
  };
};
