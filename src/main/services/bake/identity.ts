import { createHash } from 'node:crypto';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import type { Version } from '../../../shared/bake';
import type { Env, EnvValue, Project } from '../../../shared/project';
import { envReferences } from '../../../shared/environments';
import { resolveBaseImage } from '../aws/base-image';
import { callAws, type CallScope } from './aws-call';
import type { BakeRun } from './bake-run';
import type { Connection, EngineStore } from './types';

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sortedEnv(env: Env): [string, EnvValue][] {
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

/** Everything but the base image, which only EC2 can resolve: matching these costs no call. */
function sameInputs(project: Project, connection: Connection, version: Version): boolean {
  return (
    version.region === connection.region &&
    version.simulated === connection.simulated &&
    version.scriptSha256 === sha256(project.initScript) &&
    version.instanceType === project.instanceType &&
    JSON.stringify(sortedEnv(version.env)) === JSON.stringify(sortedEnv(project.env))
  );
}

export interface IdenticalCheck {
  store: Pick<EngineStore, 'versions'>;
  project: Project;
  connection: Connection;
  scope: CallScope;
  /** Tries per call (the check runs before the bake exists, while its caller waits for an answer). */
  attempts?: number;
}

/**
 * A recorded version of this project made from identical inputs whose image still exists in this account:
 * baking again would only make a copy. Checked before a bake is recorded, so asking costs no failed bake;
 * EC2 is asked only when a version matches everything else (the base image, then whether its image lives).
 * (Versions do not name their account; the image lookup does.)
 */
export async function findIdenticalVersion(check: IdenticalCheck): Promise<Version | undefined> {
  const { project, connection, scope } = check;
  // A reference names a value the app never sees and someone may have changed since (a rotated
  // password): an earlier image is no proof that baking again would make the same one.
  if (envReferences(project.env).length > 0) return undefined;
  const candidates = (await check.store.versions.list(project.name, { limit: 20 })).filter((v) =>
    sameInputs(project, connection, v),
  );
  if (candidates.length === 0) return undefined;
  const options = check.attempts ? { attempts: check.attempts } : {};
  const base = await callAws(
    scope,
    'DescribeImages',
    (o) => resolveBaseImage(connection.clients, project.baseImage, o.abortSignal),
    options,
  );
  const same = candidates.filter((v) => v.baseImageId === base.imageId);
  if (same.length === 0) return undefined;
  const out = await callAws(
    scope,
    'DescribeImages',
    (o) =>
      connection.clients.ec2.send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [
            { Name: 'image-id', Values: same.map((v) => v.imageId) },
            { Name: 'state', Values: ['available', 'pending'] },
          ],
        }),
        o,
      ),
    options,
  );
  const alive = new Set((out.Images ?? []).map((i) => i.ImageId));
  return same.find((v) => alive.has(v.imageId));
}
