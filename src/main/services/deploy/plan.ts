import type { Version } from '../../../shared/bake';
import type { Deployment, EffectivePreferences } from '../../../shared/deploy';
import { ProjectSchema, type Project } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import type { Connection } from '../bake/types';
import { DeployCalls } from './calls';
import { inspectGroup, type GroupFacts } from './inspect';
import { effectivePreferences } from './preferences';
import { checkArchitecture, checkImage, checkNoRefresh } from './safety';
import type { DeployDeps, DeployRequest } from './types';

/** Everything a deployment runs from, decided and checked before anything changes. */
export interface DeployPlan {
  project: Project;
  /** The project version rolled out (a rollback may not know it). */
  version?: number;
  imageId: string;
  group: GroupFacts;
  region: string;
  profile: string;
  endpoint?: string;
  connection: Connection;
  calls: DeployCalls;
  identity: { account: string; arn: string };
  preferences: EffectivePreferences;
  /** `aws`: RollbackInstanceRefresh works (a numbered version); `quadraxis`: a `$Default` group, put back by us. */
  rollbackMode: 'aws' | 'quadraxis';
  /** A new launch template version with the image, or (rolling back) an existing version. */
  rollout: { kind: 'new-version' } | { kind: 'existing-version'; version: number };
  warnings: string[];
}

/**
 * The image a version has in a region: its own region's, or a copy distribution made there (recorded
 * in `images`). Undefined when the version has no image there.
 */
export function imageInRegion(version: Version, region: string): string | undefined {
  if (version.region === region) return version.imageId;
  return version.images?.find((c) => c.region === region)?.imageId;
}

export async function loadProject(deps: DeployDeps, name: string): Promise<Project> {
  const entry = await deps.store.projects.get(name);
  if (!entry) throw new AppError('NOT_FOUND', `There is no project named "${name}".`);
  return ProjectSchema.parse(entry.project);
}

/** Connects as the deploy will: the profile's clients in the group's region, and who they are. */
export async function connectFor(
  deps: DeployDeps,
  request: { profile: string; region?: string; endpoint?: string },
  signal: AbortSignal,
): Promise<{ connection: Connection; calls: DeployCalls; identity: { account: string; arn: string } }> {
  const connection = await deps.connect({
    profile: request.profile,
    ...(request.region ? { region: request.region } : {}),
    ...(request.endpoint ? { endpoint: request.endpoint } : {}),
  });
  const calls = new DeployCalls(connection, {
    clock: deps.clock,
    limiter: deps.regions.for(connection).limiter,
    signal,
  });
  return { connection, calls, identity: await deps.identity(connection) };
}

/** Where a deploy goes and with which preferences: the call, then the project's target, then the project. */
export function resolveTarget(project: Project, request: DeployRequest) {
  const targets = project.deploy?.targets ?? [];
  const target =
    targets.find((t) => t.group === request.group && (t.region ?? project.region) === request.region) ??
    targets.find((t) => t.group === request.group && request.region === undefined);
  const region = request.region ?? target?.region ?? project.region;
  const profile = request.profile ?? target?.profile ?? request.defaultProfile;
  if (!profile) throw new AppError('INVALID_INPUT', 'No AWS profile to deploy with: choose one.');
  const preferences = effectivePreferences(
    project.deploy?.preferences,
    target?.preferences,
    request.preferences,
  );
  return { target, region, profile, preferences };
}

function rollbackModeOf(group: GroupFacts): 'aws' | 'quadraxis' {
  return /^\d+$/.test(group.versionRef) ? 'aws' : 'quadraxis';
}

function warningsFor(group: GroupFacts, preferences: EffectivePreferences): string[] {
  const warnings: string[] = [];
  if (rollbackModeOf(group) === 'quadraxis') {
    warnings.push(
      `Group ${group.name} launches its template's $Default version, which AWS cannot roll back; ${
        preferences.autoRollback
          ? 'if the refresh fails, Quadraxis refreshes the group back onto'
          : 'a roll back refreshes the group back onto'
      } version ${group.current.version} itself.`,
    );
  }
  if (group.current.imageAlias) {
    warnings.push(
      `The template read its AMI from ${group.current.imageAlias.slice('resolve:ssm:'.length)}; the new version names the AMI itself.`,
    );
  }
  if (group.desiredCapacity === 0)
    warnings.push(`Group ${group.name} has no instances: only new ones will launch the image.`);
  return warnings;
}

/** Preflight for a deploy of a project version: nothing is changed, and every refusal says why. */
export async function prepareDeploy(
  deps: DeployDeps,
  request: DeployRequest,
  signal: AbortSignal,
): Promise<DeployPlan> {
  const project = request.projectSnapshot ?? (await loadProject(deps, request.project));
  const resolved = resolveTarget(project, request);
  const version = request.version
    ? await deps.store.versions.get(project.name, request.version)
    : await deps.store.versions.latest(project.name);
  if (!version) {
    throw new AppError(
      'NOT_FOUND',
      request.version
        ? `${project.name} has no version ${request.version}.`
        : `${project.name} has no version yet: bake it first.`,
    );
  }
  const { connection, calls, identity } = await connectFor(
    deps,
    {
      profile: resolved.profile,
      ...(resolved.region ? { region: resolved.region } : {}),
      ...(request.endpoint ? { endpoint: request.endpoint } : {}),
    },
    signal,
  );
  const region = connection.region;
  const imageId = imageInRegion(version, region);
  if (!imageId) {
    throw new AppError(
      'CONFLICT',
      `Version ${version.version} of ${project.name} has no image in ${region} (it was baked in ${version.region}): add ${region} to the project's distribution regions and bake again.`,
      { reason: 'not-in-region' },
    );
  }
  const group = await inspectGroup(calls, request.group, region);
  checkNoRefresh(group);
  if (group.current.imageId === imageId) {
    throw new AppError(
      'CONFLICT',
      `Group ${group.name} already launches ${imageId} (version ${version.version}) from launch template version ${group.current.version}: nothing to deploy.`,
      { reason: 'same-image' },
    );
  }
  const image = await checkImage(calls, imageId, { region, account: identity.account });
  await checkArchitecture(calls, group, image);
  return {
    project,
    version: version.version,
    imageId,
    group,
    region,
    profile: resolved.profile,
    ...(request.endpoint ? { endpoint: request.endpoint } : {}),
    connection,
    calls,
    identity,
    preferences: resolved.preferences,
    rollbackMode: rollbackModeOf(group),
    rollout: { kind: 'new-version' },
    warnings: warningsFor(group, resolved.preferences),
  };
}

/**
 * Preflight for putting a group back after a deployment that ended well: the group must still run what
 * that deployment rolled out, and the version it ran before must still launch.
 */
export async function prepareRollback(
  deps: DeployDeps,
  deployment: Deployment,
  signal: AbortSignal,
): Promise<DeployPlan> {
  const change = deployment.launchTemplate;
  if (deployment.status !== 'succeeded' || !change?.newVersion) {
    throw new AppError(
      'CONFLICT',
      `Deployment ${deployment.id} did not finish rolling out a version; there is nothing to roll back.`,
      {
        reason: 'nothing-to-roll-back',
      },
    );
  }
  const project = await loadProject(deps, deployment.project);
  const { connection, calls, identity } = await connectFor(
    deps,
    {
      profile: deployment.profile,
      region: deployment.region,
      ...(deployment.endpoint ? { endpoint: deployment.endpoint } : {}),
    },
    signal,
  );
  const group = await inspectGroup(calls, deployment.group, deployment.region);
  checkNoRefresh(group);
  if (group.template.id !== change.id || group.current.version !== change.newVersion) {
    throw new AppError(
      'CONFLICT',
      `Group ${group.name} has moved on since deployment ${deployment.id}: it launches ${group.template.name} version ${group.current.version}, not ${change.newVersion}. Deploy the version you want instead.`,
      { reason: 'moved-on' },
    );
  }
  const imageId = change.previousImageId;
  if (!imageId) {
    throw new AppError(
      'CONFLICT',
      `The launch template version ${change.previousVersion} Quadraxis would return to names no AMI it can check.`,
      {
        reason: 'no-previous-image',
      },
    );
  }
  const image = await checkImage(calls, imageId, { region: deployment.region, account: identity.account });
  await checkArchitecture(calls, group, image);
  const preferences: EffectivePreferences = {
    ...deployment.preferences,
    skipMatching: true,
    checkpoints: [],
  };
  delete preferences.checkpointDelaySeconds;
  const previous = await previousVersionOf(deps, deployment);
  return {
    project,
    ...(previous !== undefined ? { version: previous } : {}),
    imageId,
    group,
    region: deployment.region,
    profile: deployment.profile,
    ...(deployment.endpoint ? { endpoint: deployment.endpoint } : {}),
    connection,
    calls,
    identity,
    preferences,
    rollbackMode: rollbackModeOf(
      group.versionRef === '$Default' ? group : { ...group, versionRef: String(change.newVersion) },
    ),
    rollout: { kind: 'existing-version', version: change.previousVersion },
    warnings: warningsFor(group, preferences),
  };
}

/**
 * Which project version the group ran before: the deployment that put the previous template version
 * there, else the project version whose image (in this region) the previous template version names.
 */
async function previousVersionOf(deps: DeployDeps, deployment: Deployment): Promise<number | undefined> {
  const history = await deps.store.deployments.list(deployment.project, { limit: 500 });
  const deployed = history.find(
    (d) =>
      d.id !== deployment.id &&
      d.group === deployment.group &&
      d.region === deployment.region &&
      d.launchTemplate?.newVersion === deployment.launchTemplate?.previousVersion,
  )?.version;
  if (deployed !== undefined) return deployed;
  const image = deployment.launchTemplate?.previousImageId;
  if (!image) return undefined;
  const versions = await deps.store.versions.list(deployment.project, { limit: 500 });
  return versions.find((v) => imageInRegion(v, deployment.region) === image)?.version;
}
