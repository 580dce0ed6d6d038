import type { GeneratedPolicy, IamStatement } from '../../../shared/aws';
import { envReferences, parameterName, secretRegion } from '../../../shared/environments';
import type { Env, Project } from '../../../shared/project';

type Explained = IamStatement & { explanation: string };

/**
 * The policy of the *builder's* role (its instance profile), which resolves the project's env references on
 * the builder (issue 18): read exactly the referenced parameters and secrets, and decrypt them only through
 * those services. Every environment's references count (a bake of any of them uses the same profile unless
 * the environment names its own; then `environment` narrows it to that one). Undefined: no references.
 */
export function generateInstanceRolePolicy(
  project: Project,
  options: { accountId?: string; region?: string; environment?: string } = {},
): GeneratedPolicy | undefined {
  const region = options.region ?? project.region ?? '*';
  const account = options.accountId ?? '*';
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const envs: Env[] =
    options.environment !== undefined
      ? [{ ...project.env, ...(project.environments?.[options.environment]?.env ?? {}) }]
      : [project.env, ...Object.values(project.environments ?? {}).map((e) => e.env)];
  const parameters = new Set<string>();
  const secrets = new Set<string>();
  for (const env of envs) {
    for (const [, ref] of envReferences(env)) {
      if ('ssm' in ref) {
        const name = parameterName(ref.ssm).replace(/^\//, '');
        parameters.add(`arn:${partition}:ssm:${region}:${account}:parameter/${name}`);
      } else if (ref.secretsManager.startsWith('arn:')) {
        // A full ARN ends in Secrets Manager's six-character suffix; a partial one does not.
        secrets.add(
          /-[A-Za-z0-9]{6}$/.test(ref.secretsManager) ? ref.secretsManager : `${ref.secretsManager}-??????`,
        );
      } else {
        const at = secretRegion(ref.secretsManager) ?? region;
        secrets.add(`arn:${partition}:secretsmanager:${at}:${account}:secret:${ref.secretsManager}-??????`);
      }
    }
  }
  if (parameters.size === 0 && secrets.size === 0) return undefined;
  const statements: Explained[] = [];
  if (parameters.size > 0)
    statements.push({
      Sid: 'ReadReferencedParameters',
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: [...parameters].sort(),
      explanation: `Read the ${parameters.size === 1 ? 'parameter' : `${parameters.size} parameters`} the project's env references (decrypted on the builder, at run time) — those only.`,
    });
  if (secrets.size > 0)
    statements.push({
      Sid: 'ReadReferencedSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: [...secrets].sort(),
      explanation: `Read the ${secrets.size === 1 ? 'secret' : `${secrets.size} secrets`} the project's env references — those only (-?????? matches the suffix Secrets Manager adds to a secret's ARN).`,
    });
  const services = [
    ...(parameters.size > 0 ? [`ssm.${region}.amazonaws.com`] : []),
    ...(secrets.size > 0 ? [`secretsmanager.${region}.amazonaws.com`] : []),
  ];
  statements.push({
    Sid: 'DecryptThroughThoseServices',
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: `arn:${partition}:kms:${region}:${account}:key/*`,
    Condition: { StringEquals: { 'kms:ViaService': services.length === 1 ? services[0]! : services } },
    explanation:
      'Decrypt a SecureString or secret kept under a customer managed key, only through Parameter Store or Secrets Manager (the AWS managed keys aws/ssm and aws/secretsmanager need no grant). Replace key/* with the key’s ARN to narrow it further.',
  });
  return {
    policy: {
      Version: '2012-10-17',
      Statement: statements.map(({ explanation: _, ...statement }) => statement),
    },
    explanations: statements.map((s) => ({ sid: s.Sid, text: s.explanation })),
  };
}
