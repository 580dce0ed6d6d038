import { stableId } from '../ids';

/**
 * Regions DescribeRegions lists: the ones every account has. Calls signed for any other well-formed region
 * work too (state is per region).
 */
export const REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
];

const DIRECTION: Record<string, string> = {
  east: 'e',
  west: 'w',
  north: 'n',
  south: 's',
  central: 'c',
  northeast: 'ne',
  southeast: 'se',
  northwest: 'nw',
  southwest: 'sw',
};

/** `eu-west-1` → `euw1`, the prefix of EC2's zone ids (`euw1-az1`). */
export function regionShortName(region: string): string {
  const [geo = '', direction = '', number = ''] = region.split('-');
  return `${geo}${DIRECTION[direction] ?? direction.slice(0, 1)}${number}`;
}

export interface Zone {
  name: string;
  id: string;
}

export function zonesOf(region: string): Zone[] {
  return ['a', 'b', 'c'].map((letter, index) => ({
    name: `${region}${letter}`,
    id: `${regionShortName(region)}-az${index + 1}`,
  }));
}

export interface SubnetInfo {
  subnetId: string;
  zone: Zone;
  cidr: string;
  /** Third octet of the subnet's first address, for handing out private IPs. */
  thirdOctet: number;
}

export interface NetworkInfo {
  vpcId: string;
  dhcpOptionsId: string;
  cidr: string;
  subnets: SubnetInfo[];
  securityGroup: { groupId: string; groupName: string; description: string };
  keyPair: { keyName: string; keyPairId: string; fingerprint: string; createTime: string };
}

/** The default network every account has in every region: a VPC, one subnet per zone, a default group. */
export function defaultNetwork(region: string): NetworkInfo {
  return {
    vpcId: stableId('vpc', region, 'default'),
    dhcpOptionsId: stableId('dopt', region, 'default'),
    cidr: '172.31.0.0/16',
    subnets: zonesOf(region).map((zone, index) => ({
      subnetId: stableId('subnet', region, zone.name),
      zone,
      cidr: `172.31.${index * 16}.0/20`,
      thirdOctet: index * 16,
    })),
    securityGroup: {
      groupId: stableId('sg', region, 'default'),
      groupName: 'default',
      description: 'default VPC security group',
    },
    keyPair: {
      keyName: 'sandbox-key',
      keyPairId: stableId('key', region, 'sandbox-key'),
      fingerprint: 'z8Jb0yqT1n3M6rYb7o+M0dB7c9J8cW0k2Y5e3lS1x8Q=',
      createTime: '2024-01-15T10:00:00.000Z',
    },
  };
}
