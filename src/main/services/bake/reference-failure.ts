import { describeReference, isEnvReference } from '../../../shared/environments';
import type { Project } from '../../../shared/project';

/** What the builder needs for each kind of reference (the instance role's permissions). */
export function readPermission(project: Project, name: string): string {
  const value = project.env[name];
  if (value === undefined || !isEnvReference(value))
    return 'ssm:GetParameters or secretsmanager:GetSecretValue';
  return 'ssm' in value
    ? 'ssm:GetParameters (and kms:Decrypt for a SecureString under a customer managed key)'
    : 'secretsmanager:GetSecretValue (and kms:Decrypt for a customer managed key)';
}

/**
 * The words for a reference the builder could not resolve (the wrapper's `unresolved` marker): which
 * variable, which reference, and what is missing — the piece of software, the instance profile, or the
 * permission AWS named.
 */
export function unresolvedMessage(
  project: Project,
  unresolved: { name: string; reason: string; message: string },
): string {
  const value = project.env[unresolved.name];
  const what =
    value !== undefined && isEnvReference(value)
      ? `${unresolved.name} (${describeReference(value)})`
      : unresolved.name;
  const profile = project.iamInstanceProfile;
  switch (unresolved.reason) {
    case 'no-profile':
      return `The builder could not resolve ${what}: it has no instance profile. Set iamInstanceProfile to a profile whose role is allowed ${readPermission(project, unresolved.name)} on it (quadraxis policy prints that instance-role policy). Nothing was imaged.`;
    case 'denied':
      return `The builder's instance profile${profile ? ` ${profile}` : ''} may not read ${what}: ${unresolved.message}. Allow its role ${readPermission(project, unresolved.name)} on it. Nothing was imaged.`;
    case 'not-found':
      return `The builder could not resolve ${what}: ${unresolved.message}. Create it (or fix the name) in the builder's region. Nothing was imaged.`;
    case 'no-helper':
      return `The builder could not resolve ${what}: ${unresolved.message}. Nothing was imaged.`;
    default:
      return `The builder could not resolve ${what}: ${unresolved.message}. Nothing was imaged.`;
  }
}
