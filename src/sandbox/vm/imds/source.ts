/** What instance metadata is made of: the instance as EC2 knows it (the VM reads it, it does not write it). */
export interface MetadataSource {
  instanceId: string;
  imageId: string;
  instanceType: string;
  architecture: string;
  region: string;
  availabilityZone: string;
  availabilityZoneId: string;
  accountId: string;
  reservationId: string;
  launchIndex: number;
  launchTime: number;
  privateIp: string;
  mac: string;
  subnetId: string;
  subnetCidr: string;
  vpcId: string;
  vpcCidr: string;
  securityGroups: { groupId: string; groupName: string }[];
  rootDeviceName: string;
  iamInstanceProfile?: { arn: string; id: string };
  /** Raw user data as RunInstances got it (possibly gzip). */
  userData: Buffer;
  /** `required`: every GET needs a session token (IMDSv2 only), as RunInstances' MetadataOptions said. */
  httpTokens: 'optional' | 'required';
}

/** `172.31.16.10` in us-east-1 → `ip-172-31-16-10.ec2.internal`; elsewhere `….<region>.compute.internal`. */
export function privateHostname(source: Pick<MetadataSource, 'privateIp' | 'region'>): string {
  const host = `ip-${source.privateIp.replace(/\./g, '-')}`;
  return source.region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${source.region}.compute.internal`;
}
