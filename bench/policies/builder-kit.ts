import { randomBytes } from 'node:crypto';
import { DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { buildUserData } from '../../src/main/services/bake';
import type { BuilderSpec } from './ec2-steps';

/**
 * The init script every policy bakes; its run time comes from each timeline, not from these lines. Each
 * bake's differs by one line, as different projects' scripts do: Quadraxis joins identical bakes into one
 * builder, which would make a scale test of N bakes a test of one.
 */
export function benchScript(index: number): string {
  return [
    '#!/bin/sh',
    'set -e',
    `echo "project ${index}: installing packages"`,
    'sleep 60',
    'echo "building the application"',
    'sleep 60',
    'echo "ready"',
    '',
  ].join('\n');
}

export const BENCH_INSTANCE_TYPE = 't3.micro';

/** The base image every policy bakes from: the newest Amazon Linux 2023, by its public SSM parameter… */
export const BENCH_BASE_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
/** …or by name, as Packer's `source_ami_filter` finds it. */
export const BENCH_BASE_NAME = 'al2023-ami-2023.*-kernel-6.1-x86_64';

/**
 * What the reference policies launch: the newest Amazon Linux 2023 x86_64 image and the same init script,
 * carried by Quadraxis's wrapper so the Sandbox knows when the script ends (each policy's `script` says
 * whether the machine then powers off or stays up, as a plain script leaves it). Looked up once; a policy
 * that resolves its base image per bake (as a real script or template does) makes that call in bake().
 */
export async function referenceBuilder(ec2: EC2Client, bakeId: string): Promise<BuilderSpec> {
  const out = await ec2.send(
    new DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: [BENCH_BASE_NAME] },
        { Name: 'state', Values: ['available'] },
      ],
    }),
  );
  const newest = (out.Images ?? []).sort((a, b) =>
    (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''),
  )[0];
  if (!newest?.ImageId) throw new Error('The Sandbox catalogue has no Amazon Linux 2023 image');
  const userData = buildUserData({
    bakeId,
    nonce: randomBytes(16).toString('hex'),
    project: {
      initScript: benchScript(0),
      env: {},
      completion: { mode: 'wrapper', timeoutMinutes: 30, cloudInitClean: true },
    },
  });
  return { imageId: newest.ImageId, instanceType: BENCH_INSTANCE_TYPE, userData: userData.base64 };
}
