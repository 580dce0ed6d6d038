import { createHash } from 'node:crypto';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import type { Version } from '../../../shared/bake';
import type { BakeRun } from './bake-run';

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sortedEnv(env: Record<string, string>): [string, string][] {
  return Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Two bakes with the same key would produce the same image: same account and region, same resolved base
 * AMI, same script, same environment, same instance type. Only known after preflight resolved the base.
 */
export function identityKey(run: BakeRun): string {
  return sha256(
    JSON.stringify([
      run.connection.accountKey,
      run.connection.region,
      run.state.base?.imageId,
      run.record.scriptSha256,
      sortedEnv(run.project.env),
      run.project.instanceType,
    ]),
  );
}

function sameInputs(run: BakeRun, version: Version): boolean {
  return (
    version.region === run.connection.region &&
    version.simulated === run.connection.simulated &&
    version.baseImageId === run.state.base?.imageId &&
    version.scriptSha256 === run.record.scriptSha256 &&
    version.instanceType === run.project.instanceType &&
    JSON.stringify(sortedEnv(version.env)) === JSON.stringify(sortedEnv(run.project.env))
  );
}

/**
 * A recorded version of this project made from identical inputs whose image still exists in this account:
 * baking again would only make a copy. (Versions do not name their account; the image lookup does.)
 */
export async function findIdenticalVersion(run: BakeRun): Promise<Version | undefined> {
  const candidates = (await run.env.store.versions.list(run.project.name, { limit: 20 })).filter((v) =>
    sameInputs(run, v),
  );
  if (candidates.length === 0) return undefined;
  const out = await run.call('DescribeImages', (o) =>
    run.connection.clients.ec2.send(
      new DescribeImagesCommand({
        Owners: ['self'],
        Filters: [
          { Name: 'image-id', Values: candidates.map((v) => v.imageId) },
          { Name: 'state', Values: ['available', 'pending'] },
        ],
      }),
      o,
    ),
  );
  const alive = new Set((out.Images ?? []).map((i) => i.ImageId));
  return candidates.find((v) => alive.has(v.imageId));
}
