/**
 * Public base images the sandbox offers in every region: Amazon Linux 2023, Ubuntu 24.04 and Debian 12,
 * for x86_64 and arm64, several dated releases each so "the newest matching" has something to choose,
 * and Windows Server 2022 (x86_64), which has no cloud-init: a bake refuses it. Names, owners and
 * descriptions follow the real ones; the ids are the sandbox's own.
 */
export type Distro = 'al2023' | 'ubuntu' | 'debian' | 'windows';

/** What DescribeImages and DescribeInstances say about the platform: EC2 sets `platform` for Windows only. */
export function platformOf(distro: Distro): { platform?: 'windows'; platformDetails: string } {
  return distro === 'windows'
    ? { platform: 'windows', platformDetails: 'Windows' }
    : { platformDetails: 'Linux/UNIX' };
}
export type Architecture = 'x86_64' | 'arm64';

export interface BaseImage {
  name: string;
  description: string;
  ownerId: string;
  ownerAlias?: string;
  architecture: Architecture;
  distro: Distro;
  rootDeviceName: string;
  volumeSize: number;
  creationDate: string;
  bootMode: 'uefi' | 'uefi-preferred';
}

export const OWNER_AMAZON = '137112412989';
export const OWNER_CANONICAL = '099720109477';
export const OWNER_DEBIAN = '136693071363';
/** Amazon publishes its Windows AMIs from another account than Amazon Linux, under the same alias. */
export const OWNER_AMAZON_WINDOWS = '801119661308';

const ARCHS: Architecture[] = ['x86_64', 'arm64'];
const debArch = (arch: Architecture) => (arch === 'x86_64' ? 'amd64' : 'arm64');
const bootMode = (arch: Architecture) => (arch === 'arm64' ? 'uefi' : 'uefi-preferred');

const AL2023_RELEASES = [
  { version: '2023.5.20240916.0', date: '2024-09-16T22:41:12.000Z' },
  { version: '2023.6.20241010.0', date: '2024-10-10T20:13:48.000Z' },
  { version: '2023.6.20241031.0', date: '2024-10-31T18:02:33.000Z' },
];
const UBUNTU_RELEASES = [
  { serial: '20240927', date: '2024-09-27T11:20:05.000Z' },
  { serial: '20241002', date: '2024-10-02T09:41:51.000Z' },
  { serial: '20241109', date: '2024-11-09T07:15:40.000Z' },
];
const WINDOWS_RELEASES = [
  { version: '2024.10.09', date: '2024-10-09T22:16:24.000Z' },
  { version: '2024.11.13', date: '2024-11-13T21:40:11.000Z' },
];
const DEBIAN_RELEASES = [
  { serial: '20240901-1857', date: '2024-09-01T21:08:37.000Z' },
  { serial: '20241004-1894', date: '2024-10-04T17:44:02.000Z' },
  { serial: '20241111-1928', date: '2024-11-11T20:31:26.000Z' },
];

const WINDOWS_IMAGES: BaseImage[] = WINDOWS_RELEASES.map((r) => ({
  name: `Windows_Server-2022-English-Full-Base-${r.version}`,
  description: 'Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon',
  ownerId: OWNER_AMAZON_WINDOWS,
  ownerAlias: 'amazon',
  architecture: 'x86_64',
  distro: 'windows',
  rootDeviceName: '/dev/sda1',
  volumeSize: 30,
  creationDate: r.date,
  bootMode: 'uefi-preferred',
}));

export const BASE_IMAGES: readonly BaseImage[] = [
  ...WINDOWS_IMAGES,
  ...ARCHS.flatMap((arch) => [
    ...AL2023_RELEASES.map((r): BaseImage => ({
      name: `al2023-ami-${r.version}-kernel-6.1-${arch}`,
      description: `Amazon Linux 2023 AMI ${r.version} ${arch} HVM kernel-6.1`,
      ownerId: OWNER_AMAZON,
      ownerAlias: 'amazon',
      architecture: arch,
      distro: 'al2023',
      rootDeviceName: '/dev/xvda',
      volumeSize: 8,
      creationDate: r.date,
      bootMode: bootMode(arch),
    })),
    ...UBUNTU_RELEASES.map((r): BaseImage => ({
      name: `ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-${debArch(arch)}-server-${r.serial}`,
      description: `Canonical, Ubuntu, 24.04, ${debArch(arch)} noble image`,
      ownerId: OWNER_CANONICAL,
      architecture: arch,
      distro: 'ubuntu',
      rootDeviceName: '/dev/sda1',
      volumeSize: 8,
      creationDate: r.date,
      bootMode: bootMode(arch),
    })),
    ...DEBIAN_RELEASES.map((r): BaseImage => ({
      name: `debian-12-${debArch(arch)}-${r.serial}`,
      description: `Debian 12 (${r.serial})`,
      ownerId: OWNER_DEBIAN,
      architecture: arch,
      distro: 'debian',
      rootDeviceName: '/dev/xvda',
      volumeSize: 8,
      creationDate: r.date,
      bootMode: bootMode(arch),
    })),
  ]),
];

/** The public SSM parameters that name the newest image of a distribution and architecture. */
const SSM_ALIASES: { path: (arch: Architecture) => string[]; distro: Distro }[] = [
  {
    distro: 'al2023',
    path: (arch) => [
      `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`,
      `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-${arch}`,
    ],
  },
  {
    distro: 'ubuntu',
    path: (arch) => [
      `/aws/service/canonical/ubuntu/server/24.04/stable/current/${debArch(arch)}/hvm/ebs-gp3/ami-id`,
      `/aws/service/canonical/ubuntu/server/noble/stable/current/${debArch(arch)}/hvm/ebs-gp3/ami-id`,
    ],
  },
  {
    distro: 'windows',
    path: (arch) =>
      arch === 'x86_64' ? ['/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base'] : [],
  },
  {
    distro: 'debian',
    path: (arch) => [
      `/aws/service/debian/release/12/latest/${debArch(arch)}`,
      `/aws/service/debian/release/bookworm/latest/${debArch(arch)}`,
    ],
  },
];

/** The base image an SSM public parameter currently points at, or undefined for an unknown parameter. */
export function imageForSsmParameter(name: string): BaseImage | undefined {
  for (const alias of SSM_ALIASES) {
    for (const arch of ARCHS) {
      if (!alias.path(arch).includes(name)) continue;
      return BASE_IMAGES.filter((i) => i.distro === alias.distro && i.architecture === arch).reduce((a, b) =>
        a.creationDate > b.creationDate ? a : b,
      );
    }
  }
  return undefined;
}
