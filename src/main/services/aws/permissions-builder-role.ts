import type { BuilderRoleCheck, BuilderRoleStatus } from '../../../shared/aws';
import { applyEnvironment, envReferences, environmentNames } from '../../../shared/environments';
import type { Project } from '../../../shared/project';
import { checkBuilderRole, type BuilderRoleSubject } from './builder-role';
import type { AwsClients } from './clients';

/** Statuses that make the permission report fail: IAM said no, or there is nothing to say yes. */
const FAILING = new Set<BuilderRoleStatus>([
  'denied',
  'no-profile',
  'no-such-profile',
  'no-role',
  'error',
  'no-such-secret',
]);

export function builderRoleFails(check: BuilderRoleCheck): boolean {
  return FAILING.has(check.status);
}

/**
 * The builder's role for every way this project can be baked: its own values (a bake without an
 * environment) and each named environment. Environments that bake with the same profile, region and
 * references as another share its check, so a project whose environments only change plain values is
 * asked about once; the scope says whose values each check covers. Undefined when nothing is referenced.
 * `onError` turns an unexpected IAM answer into the check's words, or throws when AWS cannot be reached.
 */
export async function builderRoleChecks(
  clients: AwsClients,
  project: Project,
  options: {
    accountId: string;
    signal?: AbortSignal | undefined;
    onError: (error: unknown) => { code: string; message: string };
  },
): Promise<BuilderRoleCheck[] | undefined> {
  const region = clients.target.region;
  const groups = new Map<string, { subject: BuilderRoleSubject; scope: BuilderRoleCheck['scope'] }>();
  const add = (name: string | undefined) => {
    const applied = applyEnvironment(project, name);
    const refs = envReferences(applied.env);
    if (refs.length === 0) return;
    // The clients are in the project's region; only an environment's own region moves its builder.
    const at = (name !== undefined ? project.environments?.[name]?.region : undefined) ?? region;
    const profile = applied.iamInstanceProfile;
    const key = JSON.stringify([profile ?? '', at, [...refs].sort(([a], [b]) => a.localeCompare(b))]);
    const group = groups.get(key);
    if (group) {
      if (name === undefined) group.scope.project = true;
      else group.scope.environments.push(name);
      return;
    }
    groups.set(key, {
      subject: { env: applied.env, iamInstanceProfile: profile, region: at, accountId: options.accountId },
      scope: { project: name === undefined, environments: name === undefined ? [] : [name] },
    });
  };
  add(undefined);
  for (const name of environmentNames(project)) add(name);
  if (groups.size === 0) return undefined;

  const send = options.signal ? { abortSignal: options.signal } : {};
  return Promise.all(
    [...groups.values()].map(async ({ subject, scope }): Promise<BuilderRoleCheck> => {
      try {
        const verdict = await checkBuilderRole(clients, subject, (_action, call) => call(send));
        return { ...verdict!, scope };
      } catch (error) {
        const { code, message } = options.onError(error);
        return {
          status: 'error',
          ...(subject.iamInstanceProfile ? { profile: subject.iamInstanceProfile } : {}),
          reads: [],
          code,
          message,
          scope,
        };
      }
    }),
  );
}
