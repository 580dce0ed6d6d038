import type { BuilderRoleCheck, BuilderRoleRead, BuilderRoleStatus } from './aws';

/**
 * The builder-role check in words, the same in the app's AWS access tab and in `quadraxis check`. Only
 * names and ARNs appear: the check never reads a value.
 */

export const BUILDER_ROLE_STATUS_LABELS: Record<BuilderRoleStatus, string> = {
  allowed: 'Allowed',
  denied: 'Denied',
  'no-profile': 'No instance profile',
  'no-such-profile': 'No such profile',
  'no-role': 'No role',
  unchecked: 'Not checkable',
  error: 'Error',
  'no-such-secret': 'No such secret',
};

/** Whose values a check is for: `the project's own values and staging`, `environment prod`. */
export function builderRoleScope(scope: BuilderRoleCheck['scope']): string {
  const envs = scope.environments;
  const named = envs.length === 1 ? `environment ${envs[0]}` : `environments ${envs.join(', ')}`;
  if (!scope.project) return named;
  return envs.length === 0 ? "the project's own values" : `the project's own values and ${named}`;
}

/** One sentence: what IAM said, and what it means for a bake. */
export function builderRoleSummary(check: BuilderRoleCheck): string {
  const n = check.reads.length;
  const refs = `${n} reference${n === 1 ? '' : 's'}`;
  const profile = check.profile?.split('/').at(-1) ?? '';
  const role = check.roleArn?.split('/').at(-1) ?? '';
  switch (check.status) {
    case 'allowed':
      return `Role ${role} may read ${n === 1 ? 'the' : `all ${n}`} ${n === 1 ? 'reference' : 'references'}.`;
    case 'denied': {
      const denied = check.reads.filter(isDenied).length;
      return `Role ${role} may not read ${denied} of ${refs}: a bake fails in preflight.`;
    }
    case 'no-profile':
      return `No iamInstanceProfile is set, and the builder needs one to read ${refs}: a bake fails in preflight.`;
    case 'no-such-profile':
      return `There is no instance profile named ${profile} in this account: a bake fails in preflight.`;
    case 'no-role':
      return `Instance profile ${profile} holds no role, so the builder gets no credentials: a bake fails in preflight.`;
    case 'no-such-secret': {
      const missing = check.reads.filter((r) => r.problem === 'no-such-secret');
      return `${missing[0]?.why ?? 'A referenced secret does not exist.'}${missing.length > 1 ? ` ${missing.length - 1} more referenced secret${missing.length > 2 ? 's do' : ' does'} not exist either.` : ''} A bake fails in preflight.`;
    }
    case 'unchecked':
      if (check.code === 'secretsmanager:DescribeSecret')
        return `${check.message ?? 'A secret’s ARN could not be looked up'}. Not a failure: a bake goes on, and the builder reports a denial itself.`;
      return `${check.message ?? 'IAM may not be asked'} for this identity, so the role was not checked. Not a failure: a bake goes on, and the builder reports a denial itself.`;
    case 'error':
      return `IAM could not answer${check.code ? ` (${check.code})` : ''}: ${check.message ?? 'no details'}`;
  }
}

export function isDenied(read: BuilderRoleRead): boolean {
  return read.decision !== undefined && read.decision !== 'allowed';
}
