import type { Env, EnvReference, EnvValue, Project } from './project';
import { AppError } from './result';

/**
 * Environment values and named environments (issue 18), as every side reads them: the engine (what a bake
 * sends and resolves), the policy generator (what the builder's role must read), the renderer (how a
 * reference is shown) and the CLI. Nothing here ever holds a resolved value: a reference is a name.
 */

export function isEnvReference(value: EnvValue): value is EnvReference {
  return typeof value !== 'string';
}

/** The variables whose values travel in the user data (plain strings). */
export function plainEnv(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** The variables resolved on the builder, by name. */
export function envReferences(env: Env): [string, EnvReference][] {
  return Object.entries(env).filter((e): e is [string, EnvReference] => isEnvReference(e[1]));
}

/** `ssm:/app/prod/db-password`, `secretsmanager:prod/api#token`: a reference in one word, for people. */
export function describeReference(ref: EnvReference): string {
  if ('ssm' in ref) return `ssm:${ref.ssm}`;
  return `secretsmanager:${ref.secretsManager}${ref.key ? `#${ref.key}` : ''}`;
}

/** A parameter reference's name without its version selector (`/app/db:3` → `/app/db`). */
export function parameterName(ssm: string): string {
  return ssm.replace(/:\d+$/, '');
}

/** The region a Secrets Manager ARN names; a bare name is looked up in the builder's own region. */
export function secretRegion(id: string): string | undefined {
  return /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(id)?.[1];
}

/**
 * The project a bake of environment `name` uses: its env values overridden one by one, its launch settings
 * replaced where the environment sets them. Unknown names are refused (the caller's words say where from).
 * The result carries no `environments` (an applied project is one environment's).
 */
export function applyEnvironment(project: Project, name: string | undefined): Project {
  if (name === undefined) return project;
  const environment = project.environments?.[name];
  if (!environment) {
    const known = Object.keys(project.environments ?? {});
    throw new AppError(
      'INVALID_INPUT',
      `${project.name} has no environment named ${name} (${known.length > 0 ? `environments: ${known.join(', ')}` : 'it defines none'}).`,
      { reason: 'unknown-environment', environment: name },
    );
  }
  return {
    ...project,
    env: { ...project.env, ...environment.env },
    ...(environment.region ? { region: environment.region } : {}),
    ...(environment.instanceType ? { instanceType: environment.instanceType } : {}),
    ...(environment.subnetId ? { subnetId: environment.subnetId } : {}),
    ...(environment.securityGroupIds ? { securityGroupIds: environment.securityGroupIds } : {}),
    ...(environment.iamInstanceProfile ? { iamInstanceProfile: environment.iamInstanceProfile } : {}),
  };
}

/** The environment a push to `branch` bakes (triggers.environments), if the project maps it. */
export function environmentForBranch(project: Project, branch: string | undefined): string | undefined {
  if (branch === undefined) return undefined;
  return project.triggers.environments?.[branch];
}

export function environmentNames(project: Pick<Project, 'environments'>): string[] {
  return Object.keys(project.environments ?? {});
}

/**
 * The deploy targets a bake of `environment` rolls out to on its own (after a webhook bake, or with
 * `--deploy`): those meant for that environment, or for the project's own values when it names none. A dev
 * bake must never refresh prod's group; an explicit deploy of a chosen version is not limited by this.
 */
export function deployTargetsFor(
  project: Pick<Project, 'deploy'>,
  environment: string | undefined,
): NonNullable<Project['deploy']>['targets'] {
  return (project.deploy?.targets ?? []).filter((t) => t.environment === environment);
}
