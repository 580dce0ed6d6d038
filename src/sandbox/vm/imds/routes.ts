import { createHash } from 'node:crypto';
import { privateHostname, type MetadataSource } from './source';

/**
 * Instance metadata as a route table. A route is a path under a version root (`latest/`, `2021-03-23/`…);
 * a `{name}` segment matches any one segment, and `params.name` says which values exist (for listings).
 * A route whose value is undefined for an instance does not exist for it (404, and not listed). Directory
 * listings are derived: a GET of `meta-data/` lists the next segments of every route below it, with a `/`
 * after those that go deeper, as EC2 answers. Further routes (IAM role credentials) are added by passing
 * more routes to the server.
 */
export interface MetadataRoute {
  path: string;
  value(source: MetadataSource, params: Record<string, string>): string | undefined;
  params?: Record<string, (source: MetadataSource) => string[]>;
}

export type MetadataAnswer = { status: 200; body: string | Buffer; contentType: string } | { status: 404 };

const fixed =
  (text: string): MetadataRoute['value'] =>
  () =>
    text;
const field =
  (pick: (source: MetadataSource) => string | number | undefined): MetadataRoute['value'] =>
  (source) => {
    const value = pick(source);
    return value === undefined ? undefined : String(value);
  };
const macs = { mac: (source: MetadataSource) => [source.mac] };
const nic = (leaf: string, value: MetadataRoute['value']): MetadataRoute => ({
  path: `meta-data/network/interfaces/macs/{mac}/${leaf}`,
  value,
  params: macs,
});

function interfaceId(source: MetadataSource): string {
  return `eni-${createHash('sha256').update(source.instanceId).digest('hex').slice(0, 17)}`;
}

export const METADATA_ROUTES: readonly MetadataRoute[] = [
  { path: 'meta-data/ami-id', value: field((s) => s.imageId) },
  { path: 'meta-data/ami-launch-index', value: field((s) => s.launchIndex) },
  { path: 'meta-data/ami-manifest-path', value: fixed('(unknown)') },
  {
    path: 'meta-data/block-device-mapping/ami',
    value: field((s) => s.rootDeviceName.replace(/^\/dev\//, '')),
  },
  { path: 'meta-data/block-device-mapping/root', value: field((s) => s.rootDeviceName) },
  { path: 'meta-data/hostname', value: field(privateHostname) },
  { path: 'meta-data/instance-action', value: fixed('none') },
  { path: 'meta-data/instance-id', value: field((s) => s.instanceId) },
  { path: 'meta-data/instance-life-cycle', value: fixed('on-demand') },
  { path: 'meta-data/instance-type', value: field((s) => s.instanceType) },
  { path: 'meta-data/local-hostname', value: field(privateHostname) },
  { path: 'meta-data/local-ipv4', value: field((s) => s.privateIp) },
  { path: 'meta-data/mac', value: field((s) => s.mac) },
  nic('device-number', fixed('0')),
  nic('interface-id', field(interfaceId)),
  nic('local-hostname', field(privateHostname)),
  nic(
    'local-ipv4s',
    field((s) => s.privateIp),
  ),
  nic(
    'mac',
    field((s) => s.mac),
  ),
  nic(
    'owner-id',
    field((s) => s.accountId),
  ),
  nic(
    'security-group-ids',
    field((s) => s.securityGroups.map((g) => g.groupId).join('\n')),
  ),
  nic(
    'security-groups',
    field((s) => s.securityGroups.map((g) => g.groupName).join('\n')),
  ),
  nic(
    'subnet-id',
    field((s) => s.subnetId),
  ),
  nic(
    'subnet-ipv4-cidr-block',
    field((s) => s.subnetCidr),
  ),
  nic(
    'vpc-id',
    field((s) => s.vpcId),
  ),
  nic(
    'vpc-ipv4-cidr-block',
    field((s) => s.vpcCidr),
  ),
  nic(
    'vpc-ipv4-cidr-blocks',
    field((s) => s.vpcCidr),
  ),
  { path: 'meta-data/placement/availability-zone', value: field((s) => s.availabilityZone) },
  { path: 'meta-data/placement/availability-zone-id', value: field((s) => s.availabilityZoneId) },
  { path: 'meta-data/placement/region', value: field((s) => s.region) },
  { path: 'meta-data/profile', value: fixed('default-hvm') },
  { path: 'meta-data/reservation-id', value: field((s) => s.reservationId) },
  {
    path: 'meta-data/security-groups',
    value: field((s) => s.securityGroups.map((g) => g.groupName).join('\n')),
  },
  { path: 'meta-data/services/domain', value: fixed('amazonaws.com') },
  { path: 'meta-data/services/partition', value: fixed('aws') },
  {
    path: 'meta-data/iam/info',
    value: (s) =>
      s.iamInstanceProfile &&
      JSON.stringify(
        {
          Code: 'Success',
          LastUpdated: new Date(s.launchTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          InstanceProfileArn: s.iamInstanceProfile.arn,
          InstanceProfileId: s.iamInstanceProfile.id,
        },
        null,
        2,
      ),
  },
  {
    path: 'dynamic/instance-identity/document',
    value: (s) =>
      JSON.stringify(
        {
          accountId: s.accountId,
          architecture: s.architecture,
          availabilityZone: s.availabilityZone,
          billingProducts: null,
          devpayProductCodes: null,
          marketplaceProductCodes: null,
          imageId: s.imageId,
          instanceId: s.instanceId,
          instanceType: s.instanceType,
          kernelId: null,
          pendingTime: new Date(s.launchTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          privateIp: s.privateIp,
          ramdiskId: null,
          region: s.region,
          version: '2017-09-30',
        },
        null,
        2,
      ),
  },
];

/** Answers a GET of `path` (relative to the version root, e.g. `meta-data/instance-id` or `meta-data/`). */
export function lookupMetadata(
  routes: readonly MetadataRoute[],
  source: MetadataSource,
  path: string,
): MetadataAnswer {
  if (path === 'user-data') {
    return source.userData.length > 0
      ? { status: 200, body: source.userData, contentType: 'application/octet-stream' }
      : { status: 404 };
  }
  const segments = path.split('/').filter((s) => s !== '');
  const entries = expand(routes, source);
  const leaf = entries.find((e) => sameSegments(e.segments, segments));
  if (leaf && !path.endsWith('/')) return { status: 200, body: leaf.value, contentType: 'text/plain' };
  const below = entries.filter(
    (e) => e.segments.length > segments.length && segments.every((s, i) => e.segments[i] === s),
  );
  if (below.length === 0) return { status: 404 };
  const names = new Map<string, boolean>();
  for (const entry of below) {
    const name = entry.segments[segments.length]!;
    const deeper = entry.segments.length > segments.length + 1;
    names.set(name, (names.get(name) ?? false) || deeper);
  }
  // The version root lists its three parts bare, as EC2 does; deeper listings mark directories with a `/`.
  const root = segments.length === 0;
  if (root && source.userData.length > 0) names.set('user-data', false);
  const listing = [...names]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, deeper]) => (deeper && !root ? `${name}/` : name));
  return { status: 200, body: listing.join('\n'), contentType: 'text/plain' };
}

interface Entry {
  segments: string[];
  value: string;
}

/** Every concrete path the routes give this instance, with its value. */
function expand(routes: readonly MetadataRoute[], source: MetadataSource): Entry[] {
  const entries: Entry[] = [];
  for (const route of routes) {
    const pattern = route.path.split('/');
    let combos: { segments: string[]; params: Record<string, string> }[] = [{ segments: [], params: {} }];
    for (const part of pattern) {
      const param = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!param) {
        combos = combos.map((c) => ({ ...c, segments: [...c.segments, part] }));
        continue;
      }
      const values = route.params?.[param]?.(source) ?? [];
      combos = combos.flatMap((c) =>
        values.map((v) => ({ segments: [...c.segments, v], params: { ...c.params, [param]: v } })),
      );
    }
    for (const combo of combos) {
      const value = route.value(source, combo.params);
      if (value !== undefined) entries.push({ segments: combo.segments, value });
    }
  }
  return entries;
}

function sameSegments(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
