import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { lookupMetadata, METADATA_ROUTES, type MetadataRoute } from '../../../../src/sandbox/vm/imds/routes';
import { ImdsServer } from '../../../../src/sandbox/vm/imds/server';
import type { MetadataSource } from '../../../../src/sandbox/vm/imds/source';

const source = (more: Partial<MetadataSource> = {}): MetadataSource => ({
  instanceId: 'i-0123456789abcdef0',
  imageId: 'ami-0123456789abcdef0',
  instanceType: 't3.micro',
  architecture: 'x86_64',
  region: 'eu-west-1',
  availabilityZone: 'eu-west-1a',
  availabilityZoneId: 'euw1-az1',
  accountId: '123456789012',
  reservationId: 'r-0123456789abcdef0',
  launchIndex: 0,
  launchTime: Date.UTC(2026, 0, 1, 12),
  privateIp: '172.31.0.14',
  mac: '0a:01:23:45:67:89',
  subnetId: 'subnet-0123456789abcdef0',
  subnetCidr: '172.31.0.0/20',
  vpcId: 'vpc-0123456789abcdef0',
  vpcCidr: '172.31.0.0/16',
  securityGroups: [{ groupId: 'sg-0123456789abcdef0', groupName: 'default' }],
  rootDeviceName: '/dev/xvda',
  userData: Buffer.from('#!/bin/sh\necho hi\n'),
  httpTokens: 'required',
  ...more,
});

const get = (path: string, s = source(), routes: readonly MetadataRoute[] = METADATA_ROUTES) => {
  const answer = lookupMetadata(routes, s, path);
  return answer.status === 200 ? answer.body.toString() : 404;
};

describe('instance metadata routes', () => {
  it('list the version root bare and directories with a slash, as EC2 does', () => {
    expect(get('')).toBe('dynamic\nmeta-data\nuser-data');
    expect(get('', source({ userData: Buffer.alloc(0) }))).toBe('dynamic\nmeta-data');
    const listing = (get('meta-data/') as string).split('\n');
    expect(listing).toContain('instance-id');
    expect(listing).toContain('placement/');
    expect(listing).toContain('network/');
    expect(get('meta-data')).toBe(get('meta-data/'));
    expect(get('meta-data/placement/')).toBe('availability-zone\navailability-zone-id\nregion');
  });

  it('answer leaves, with parameterised paths listed from what exists', () => {
    expect(get('meta-data/instance-id')).toBe('i-0123456789abcdef0');
    expect(get('meta-data/local-hostname')).toBe('ip-172-31-0-14.eu-west-1.compute.internal');
    expect(get('meta-data/local-hostname', source({ region: 'us-east-1' }))).toBe(
      'ip-172-31-0-14.ec2.internal',
    );
    expect(get('meta-data/network/interfaces/macs/')).toBe('0a:01:23:45:67:89/');
    expect(get('meta-data/network/interfaces/macs/0a:01:23:45:67:89/subnet-ipv4-cidr-block')).toBe(
      '172.31.0.0/20',
    );
    expect(get('meta-data/network/interfaces/macs/0a:ff:ff:ff:ff:ff/mac')).toBe(404);
    expect(JSON.parse(get('dynamic/instance-identity/document') as string)).toMatchObject({
      instanceId: 'i-0123456789abcdef0',
      region: 'eu-west-1',
      accountId: '123456789012',
    });
  });

  it('serve the user data as given, and 404 without any', () => {
    expect(get('user-data')).toBe('#!/bin/sh\necho hi\n');
    expect(get('user-data', source({ userData: Buffer.alloc(0) }))).toBe(404);
    expect(get('meta-data/nothing-here')).toBe(404);
  });

  it('show iam/ only for an instance with an instance profile', () => {
    expect((get('meta-data/') as string).split('\n')).not.toContain('iam/');
    const withProfile = source({
      iamInstanceProfile: {
        arn: 'arn:aws:iam::123456789012:instance-profile/builder-role',
        id: 'AIPAEXAMPLE',
      },
    });
    expect((get('meta-data/', withProfile) as string).split('\n')).toContain('iam/');
    expect(JSON.parse(get('meta-data/iam/info', withProfile) as string)).toMatchObject({ Code: 'Success' });
  });

  it('take more routes (role credentials come this way)', () => {
    const extra: MetadataRoute = {
      path: 'meta-data/iam/security-credentials/{role}',
      params: { role: () => ['builder-role'] },
      value: (_s, { role }) => JSON.stringify({ Code: 'Success', role }),
    };
    const routes = [...METADATA_ROUTES, extra];
    expect(get('meta-data/iam/security-credentials/', source(), routes)).toBe('builder-role');
    expect(
      JSON.parse(get('meta-data/iam/security-credentials/builder-role', source(), routes) as string),
    ).toEqual({
      Code: 'Success',
      role: 'builder-role',
    });
  });
});

let server: ImdsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function call(
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server!.port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the IMDSv2 server', () => {
  it('gives a session token for a TTL in range, and answers GETs that carry it', async () => {
    server = await ImdsServer.start(() => source(), METADATA_ROUTES);
    const token = await call('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' });
    expect(token.status).toBe(200);
    expect(token.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('21600');
    expect(token.headers.connection).toBe('close');
    const id = await call('GET', '/latest/meta-data/instance-id', { 'x-aws-ec2-metadata-token': token.body });
    expect(id).toMatchObject({ status: 200, body: 'i-0123456789abcdef0' });
    expect(
      (await call('GET', '/2021-03-23/meta-data/instance-id', { 'x-aws-ec2-metadata-token': token.body }))
        .status,
    ).toBe(200);
    expect(
      (await call('GET', '/1999-01-01/meta-data/instance-id', { 'x-aws-ec2-metadata-token': token.body }))
        .status,
    ).toBe(404);
  });

  it('refuses what EC2 refuses: no token when required, a bad token, a bad TTL, a proxied PUT', async () => {
    server = await ImdsServer.start(() => source(), METADATA_ROUTES);
    expect((await call('GET', '/latest/meta-data/instance-id')).status).toBe(401);
    expect(
      (await call('GET', '/latest/meta-data/instance-id', { 'x-aws-ec2-metadata-token': 'forged' })).status,
    ).toBe(401);
    expect(
      (await call('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '0' })).status,
    ).toBe(400);
    expect(
      (await call('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '21601' })).status,
    ).toBe(400);
    expect((await call('PUT', '/latest/api/token')).status).toBe(400);
    expect(
      (
        await call('PUT', '/latest/api/token', {
          'x-aws-ec2-metadata-token-ttl-seconds': '60',
          'x-forwarded-for': '10.0.0.1',
        })
      ).status,
    ).toBe(403);
    expect((await call('POST', '/latest/meta-data/instance-id')).status).toBe(405);
  });

  it('lets IMDSv1 through only for instances launched with HttpTokens=optional', async () => {
    server = await ImdsServer.start(() => source({ httpTokens: 'optional' }), METADATA_ROUTES);
    expect(await call('GET', '/latest/meta-data/instance-id')).toMatchObject({
      status: 200,
      body: 'i-0123456789abcdef0',
    });
  });

  it('expires tokens after their TTL', async () => {
    let now = 1_000_000;
    server = await ImdsServer.start(
      () => source(),
      METADATA_ROUTES,
      () => now,
    );
    const token = (await call('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '1' }))
      .body;
    expect((await call('GET', '/latest/meta-data/', { 'x-aws-ec2-metadata-token': token })).status).toBe(200);
    now += 1_001;
    expect((await call('GET', '/latest/meta-data/', { 'x-aws-ec2-metadata-token': token })).status).toBe(401);
    expect(server.log.map((l) => l.status)).toEqual([200, 200, 401]);
  });
});
